package io.chubby.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.Member;
import io.chubby.testkit.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Three peer transports on loopback: exchange, self-delivery, reconnect, bad handshakes, drops. */
class MinaPeerTransportTest {
    private static final String CELL = "testcell";

    record Received(int from, String text, String thread) {
    }

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private List<Member> members;
    private final MinaPeerTransport[] transports = new MinaPeerTransport[4];
    @SuppressWarnings("unchecked")
    private final BlockingQueue<Received>[] inboxes = new BlockingQueue[4];

    @BeforeEach
    void setUp() throws IOException {
        int[] ports = freePorts(3);
        members = List.of(new Member(1, "127.0.0.1", 1, ports[0]), new Member(2, "127.0.0.1", 1, ports[1]),
                new Member(3, "127.0.0.1", 1, ports[2]));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (MinaPeerTransport t : transports) {
            if (t != null) {
                t.stop();
            }
        }
        for (AutoCloseable c : cleanup) {
            c.close();
        }
        TransportThreads.awaitNone();
    }

    private PeerSettings settings(int id) {
        return PeerSettings.of(id, CELL, members).withBackoff(20, 200);
    }

    private MinaPeerTransport start(int id) {
        return start(settings(id));
    }

    private MinaPeerTransport start(PeerSettings s) {
        int id = s.selfId();
        MinaPeerTransport t = new MinaPeerTransport(s);
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        t.setHandler((from, bytes) -> inbox.add(new Received(from, new String(bytes, StandardCharsets.UTF_8),
                Thread.currentThread().getName())));
        t.start();
        transports[id] = t;
        inboxes[id] = inbox;
        return t;
    }

    /**
     * Sends probes from {@code from} to {@code to} until one arrives (links come up
     * asynchronously), then a fence: one connection per direction delivers in order, so once the
     * fence arrived every probe sent before it has landed (or was dropped) and the inbox is clean.
     */
    private void awaitFlow(int from, int to) throws InterruptedException {
        Await.until("a probe from " + from + " to " + to + " to arrive", () -> {
            transports[from].send(to, "probe".getBytes(StandardCharsets.UTF_8));
            Received r = inboxes[to].poll();
            return r != null && r.from() == from && r.text().equals("probe");
        });
        transports[from].send(to, "fence".getBytes(StandardCharsets.UTF_8));
        Received x;
        do {
            x = inboxes[to].poll(5, TimeUnit.SECONDS);
            assertNotNull(x, "the fence from " + from + " to " + to + " never arrived");
        } while (!(x.from() == from && x.text().equals("fence")));
    }

    @Test
    void threeReplicasExchangeMessages() throws Exception {
        start(1);
        start(2);
        start(3);
        for (int a = 1; a <= 3; a++) {
            for (int b = 1; b <= 3; b++) {
                if (a != b) {
                    awaitFlow(a, b);
                }
            }
        }
        for (int i = 0; i < 100; i++) {
            for (int a = 1; a <= 3; a++) {
                int b = a % 3 + 1;
                transports[a].send(b, ("m" + i + " " + a + "->" + b).getBytes(StandardCharsets.UTF_8));
            }
        }
        for (int b = 1; b <= 3; b++) {
            int a = (b + 1) % 3 + 1; // the replica whose successor is b
            for (int i = 0; i < 100; i++) {
                Received r = inboxes[b].poll(5, TimeUnit.SECONDS);
                assertNotNull(r, "message " + i + " to " + b);
                assertEquals(a, r.from());
                // One TCP connection per direction: messages arrive in the order sent.
                assertEquals("m" + i + " " + a + "->" + b, r.text());
            }
        }
    }

    /**
     * Links follow the members (issue 19): replicas 1 and 2 start as a cell of two, replica 3 joins
     * knowing all three; once 1 and 2 are told to link to 3 messages flow every way; once 3 is no
     * longer listed on 1, 1's link to it closes and 3 can no longer reach 1.
     */
    @Test
    void linksFollowThePeersTheyAreGiven() throws Exception {
        List<Member> all = members;
        List<Member> two = all.subList(0, 2);
        start(PeerSettings.of(1, CELL, two).withBackoff(20, 200));
        start(PeerSettings.of(2, CELL, two).withBackoff(20, 200));
        start(PeerSettings.of(3, CELL, all).withBackoff(20, 200));
        awaitFlow(1, 2);
        transports[1].linkPeers(all);
        transports[2].linkPeers(all);
        for (int a = 1; a <= 3; a++) {
            for (int b = 1; b <= 3; b++) {
                if (a != b) {
                    awaitFlow(a, b);
                }
            }
        }
        transports[1].linkPeers(two);
        Await.until("1's link to 3 closed", () -> !transports[1].linkUp(3));
        for (int i = 0; i < 20; i++) { // 3's link to 1 reconnects and is refused at each handshake
            transports[1].send(3, "gone".getBytes(StandardCharsets.UTF_8));
            transports[3].send(1, "gone".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(10);
        }
        awaitFlow(1, 2); // 1 still reaches 2, and 2 still reaches 3
        awaitFlow(2, 3);
        assertNull(inboxes[3].poll(200, TimeUnit.MILLISECONDS), "nothing from 1 reached 3");
        for (Received r; (r = inboxes[1].poll()) != null; ) {
            assertNotEquals(3, r.from(), "3 reached 1 after it was unlisted");
        }
    }

    @Test
    void messageToSelfIsDeliveredAsynchronously() throws Exception {
        MinaPeerTransport t = start(1);
        t.send(1, "self".getBytes(StandardCharsets.UTF_8));
        Received r = inboxes[1].poll(5, TimeUnit.SECONDS);
        assertNotNull(r);
        assertEquals(1, r.from());
        assertEquals("self", r.text());
        assertNotEquals(Thread.currentThread().getName(), r.thread());
        assertTrue(r.thread().startsWith("chubby-peer-local-1"), r.thread());
    }

    /** The links' series: connected per peer, seconds since the peer was last heard, drops. */
    @Test
    void linkStateAndLastHeardPerPeerAreSeries() throws Exception {
        start(1);
        start(2);
        awaitFlow(2, 1);
        Await.until("link 1->2 up", () -> transports[1].linkUp(2));

        java.util.Map<String, io.chubby.spi.MetricSource.Metric> m = new java.util.HashMap<>();
        transports[1].metrics().forEach(x -> m.put(x.name(), x));
        java.util.Map<String, Double> up = new java.util.TreeMap<>();
        m.get("chubby_peer_link_up").samples().forEach(s -> up.put(s.labels().get("peer"), s.value()));
        assertEquals(java.util.Map.of("2", 1.0, "3", 0.0), up, "3 never started");
        List<io.chubby.spi.MetricSource.Sample> heard = m.get("chubby_peer_last_heard_seconds").samples();
        assertEquals(1, heard.size(), "only 2 was heard");
        assertEquals("2", heard.get(0).labels().get("peer"));
        assertTrue(heard.get(0).value() >= 0 && heard.get(0).value() < 10, heard.toString());

        long dropped = (long) m.get("chubby_peer_messages_dropped").samples().get(0).value();
        transports[1].send(3, "lost".getBytes(StandardCharsets.UTF_8));
        assertEquals(dropped + 1, transports[1].metrics().stream()
                .filter(x -> x.name().equals("chubby_peer_messages_dropped")).findFirst().orElseThrow()
                .samples().get(0).value());
    }

    @Test
    void restartedPeerIsReconnected() throws Exception {
        start(1);
        start(2);
        start(3);
        awaitFlow(1, 3);
        awaitFlow(3, 1);

        transports[3].stop();
        transports[3] = null;
        Await.until("link 1->3 down", () -> !transports[1].linkUp(3));
        long before = transports[1].droppedMessages();
        transports[1].send(3, "lost".getBytes(StandardCharsets.UTF_8));
        assertEquals(before + 1, transports[1].droppedMessages());

        start(3); // same port as before
        awaitFlow(1, 3);
        awaitFlow(3, 1);
        awaitFlow(2, 3);
        awaitFlow(3, 2);
    }

    @Test
    void handshakesFromStrangersAreRejected() throws Exception {
        start(1);
        InetSocketAddress peerPort = new InetSocketAddress("127.0.0.1", members.get(0).peerPort());
        List<PeerHandshake> bad = List.of(
                new PeerHandshake(9, 1, CELL),        // unknown replica id
                new PeerHandshake(1, 1, CELL),        // claims to be the receiver itself
                new PeerHandshake(2, 1, "othercell"), // another cell
                new PeerHandshake(2, 3, CELL));       // meant for someone else
        for (PeerHandshake h : bad) {
            try (FrameSocket s = FrameSocket.connect(peerPort)) {
                s.writeFrame(h.encode());
                s.writeFrame("sneaky".getBytes(StandardCharsets.UTF_8));
                s.assertClosedByServer();
            }
        }
        try (FrameSocket s = FrameSocket.connect(peerPort)) {
            s.writeFrame("not a handshake".getBytes(StandardCharsets.UTF_8));
            s.assertClosedByServer();
        }
        try (FrameSocket s = FrameSocket.connect(peerPort)) {
            // A rejected handshake followed in the same packet by a valid one must stay rejected.
            byte[] bad1 = io.chubby.protocol.Frames.encode(new PeerHandshake(9, 1, CELL).encode());
            byte[] good = io.chubby.protocol.Frames.encode(new PeerHandshake(2, 1, CELL).encode());
            byte[] msg = io.chubby.protocol.Frames.encode("smuggled".getBytes(StandardCharsets.UTF_8));
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            all.write(bad1);
            all.write(good);
            all.write(msg);
            s.writeRaw(all.toByteArray());
            s.assertClosedByServer();
        }
        try (FrameSocket s = FrameSocket.connect(peerPort)) {
            // A good handshake in a frame of another version: closed, never answered (peers are not clients).
            byte[] h = new PeerHandshake(2, 1, CELL).encode();
            s.writeHeader(h.length + 2, io.chubby.protocol.Frames.VERSION + 1, h);
            s.assertClosedWithoutAnswer();
        }
        assertNull(inboxes[1].poll(100, TimeUnit.MILLISECONDS), "nothing from rejected connections is delivered");

        // The documented handshake, written by hand, is accepted and its messages delivered.
        try (FrameSocket s = FrameSocket.connect(peerPort)) {
            s.writeFrame(new PeerHandshake(2, 1, CELL).encode());
            s.writeFrame("hello from 2".getBytes(StandardCharsets.UTF_8));
            Received r = inboxes[1].poll(5, TimeUnit.SECONDS);
            assertNotNull(r);
            assertEquals(2, r.from());
            assertEquals("hello from 2", r.text());
        }
    }

    @Test
    void sendToDownPeerDropsWithoutBlocking() {
        MinaPeerTransport t = start(1); // 2 and 3 never start
        byte[] message = new byte[1024];
        for (int i = 0; i < 10_000; i++) {
            t.send(2, message);
        }
        // Every send was dropped on the spot, none queued or waiting for a connection: that is what
        // "without blocking" means. (How fast 10,000 drops are is the machine's business, not a
        // unit test's; a send that waited for the peer would hang this test instead.)
        assertEquals(10_000, t.droppedMessages());
    }

    @Test
    void peerThatDoesNotReadGetsMessagesDroppedNotBuffered() throws Exception {
        // Replica 2 is a socket that accepts and never reads.
        ServerSocket silent = new ServerSocket(members.get(1).peerPort(), 50, InetAddress.getLoopbackAddress());
        cleanup.add(silent);
        List<Socket> accepted = new ArrayList<>();
        Thread acceptor = new Thread(() -> {
            try {
                accepted.add(silent.accept());
            } catch (IOException e) {
                // closed at teardown
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        MinaPeerTransport t = start(settings(1).withMaxQueuedBytes(256 * 1024));
        Await.until("link 1->2 up", () -> t.linkUp(2));
        byte[] message = new byte[16 * 1024];
        for (int i = 0; i < 2000; i++) { // 32 MiB, far more than socket buffers plus the queue limit
            t.send(2, message);
        }
        // The sends returned although the peer reads nothing (a send that blocked on it would hang
        // this test), and what did not fit under the queue limit was dropped, not buffered.
        assertTrue(t.droppedMessages() > 0, "messages beyond the queue limit are dropped");
        acceptor.join(1000);
        for (Socket s : accepted) {
            s.close();
        }
    }

    @Test
    void messagesWithoutHandlerAreDropped() throws Exception {
        start(1);
        start(2);
        awaitFlow(2, 1);
        transports[1].setHandler(null);
        transports[2].send(1, "nobody home".getBytes(StandardCharsets.UTF_8));
        Await.until("the message reached replica 1 while it had no handler",
                () -> transports[1].unhandledMessages() == 1);
        BlockingQueue<Received> inbox = inboxes[1];
        transports[1].setHandler((from, bytes) -> inbox.add(new Received(from, new String(bytes,
                StandardCharsets.UTF_8), Thread.currentThread().getName())));
        transports[2].send(1, "back".getBytes(StandardCharsets.UTF_8));
        Received r = inbox.poll(5, TimeUnit.SECONDS);
        assertNotNull(r);
        assertEquals("back", r.text());
    }

    /** Ports free right now on loopback (bound together so they differ, then released). */
    static int[] freePorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
        return ports;
    }
}
