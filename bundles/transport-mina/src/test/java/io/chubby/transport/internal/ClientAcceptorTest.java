package io.chubby.transport.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ErrorCode;
import io.chubby.protocol.Frames;
import io.chubby.protocol.Hello;
import io.chubby.protocol.HelloReply;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.StatusRequest;
import io.chubby.testkit.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The client acceptor over real loopback sockets: handshake, echo, and bad input isolated per connection. */
class ClientAcceptorTest {
    private static final int MAX_FRAME = 4096;

    private final EchoHandler handler = new EchoHandler();
    private final List<FrameSocket> sockets = new ArrayList<>();
    private ClientAcceptor acceptor;

    @BeforeEach
    void start() {
        acceptor = new ClientAcceptor(new ClientSettings(new InetSocketAddress("127.0.0.1", 0),
                MAX_FRAME, 1 << 20, 2, 1), handler);
        acceptor.start();
    }

    @AfterEach
    void stop() {
        sockets.forEach(FrameSocket::close);
        acceptor.stop();
        TransportThreads.awaitNone();
    }

    private FrameSocket connect() throws IOException {
        FrameSocket s = FrameSocket.connect(acceptor.localAddress());
        sockets.add(s);
        return s;
    }

    /** A connection that has completed its Hello, to show that it survives a neighbour's bad input. */
    private FrameSocket goodConnection() throws IOException {
        FrameSocket s = connect();
        s.hello();
        s.roundTrip("before".getBytes());
        return s;
    }

    private static byte[] request(long callId) {
        return Request.newBuilder().setCallId(callId).setStatus(StatusRequest.getDefaultInstance()).build()
                .toByteArray();
    }

    @Test
    void helloThenRequestsRoundTrip() throws Exception {
        FrameSocket s = connect();
        HelloReply reply = s.hello();
        assertEquals(Frames.VERSION, reply.getProtocolVersion());
        assertEquals(7, reply.getReplicaId());
        assertEquals("testcell", reply.getCell());
        Await.until("connected", () -> handler.connected.size() == 1);
        assertEquals("test", handler.clientNames.values().iterator().next(), "client name from the Hello");

        for (long call = 1; call <= 5; call++) {
            s.writeFrame(request(call));
            assertEquals(call, Request.parseFrom(s.readFrame()).getCallId());
        }
        s.close();
        Await.until("disconnected", () -> handler.disconnected.equals(handler.connected));
    }

    /** Replaces the acceptor by one whose stop drains for at most {@code drainMs}. */
    private void restartWithDrain(long drainMs) {
        acceptor.stop();
        acceptor = new ClientAcceptor(new ClientSettings(new InetSocketAddress("127.0.0.1", 0),
                MAX_FRAME, 1 << 20, 2, 1).withDrainMillis(drainMs), handler);
        acceptor.start();
    }

    private static final byte[] NOTICE = Response.newBuilder().setCallId(0).setError(io.chubby.protocol.Error
            .newBuilder().setCode(ErrorCode.NOT_MASTER.wire()).setMessage("replica 7 is leaving")).build()
            .toByteArray();

    @Test
    void aStopTellsClientsItIsLeavingAnswersThemAndWaitsUntilTheyClose() throws Exception {
        handler.leaving = NOTICE;
        restartWithDrain(60_000); // far longer than the test's own timeouts: the stop must end by the clients
        InetSocketAddress address = acceptor.localAddress();
        FrameSocket a = connect();
        a.hello();
        FrameSocket b = connect();
        b.hello();
        ExecutorService exec = Executors.newSingleThreadExecutor();
        try {
            Future<?> stopping = exec.submit(acceptor::stop);
            assertArrayEquals(NOTICE, a.readFrame(), "the notice, unasked");
            assertArrayEquals(NOTICE, b.readFrame());
            assertThrows(IOException.class, () -> FrameSocket.connect(address).close(), "no longer accepting");
            a.roundTrip("sent after the notice".getBytes()); // still answered while the stop waits
            a.close();
            assertFalse(stopping.isDone(), "b is still connected");
            b.roundTrip("b too".getBytes());
            b.close();
            stopping.get(30, TimeUnit.SECONDS);
        } finally {
            exec.shutdownNow();
        }
        Await.until("disconnected", () -> handler.disconnected.size() == 2);
    }

    @Test
    void aClientThatIgnoresTheNoticeIsClosedOnAfterTheDrainPeriod() throws Exception {
        handler.leaving = NOTICE;
        restartWithDrain(300);
        FrameSocket s = connect();
        s.hello();
        acceptor.stop();
        assertArrayEquals(NOTICE, s.readFrame());
        s.assertClosedByServer();
    }

    @Test
    void aHandlerWithoutANoticeHasItsConnectionsClosedAtOnce() throws Exception {
        handler.leaving = null;
        restartWithDrain(60_000);
        FrameSocket s = connect();
        s.hello();
        acceptor.stop(); // returns without waiting for the client: nothing told it to leave
        s.assertClosedWithoutAnswer();
    }

    @Test
    void handlerCloseFlushesLastResponseThenCloses() throws Exception {
        FrameSocket s = connect();
        s.hello();
        s.writeFrame(EchoHandler.CLOSE);
        assertArrayEquals(EchoHandler.CLOSE, s.readFrame());
        s.assertClosedByServer();
        Await.until("disconnected", () -> handler.disconnected.size() == 1);
    }

    @Test
    void framesSplitAcrossReadsAndCoalescedAreDecoded() throws Exception {
        FrameSocket s = connect();
        s.hello();
        byte[] frame = Frames.encode(request(11));
        for (byte b : frame) { // one byte per TCP segment (TCP_NODELAY on the client)
            s.writeRaw(new byte[] {b});
        }
        assertEquals(11, Request.parseFrom(s.readFrame()).getCallId());
        byte[] two = new byte[frame.length * 2]; // two frames in one write
        System.arraycopy(frame, 0, two, 0, frame.length);
        System.arraycopy(Frames.encode(request(12)), 0, two, frame.length, frame.length);
        s.writeRaw(two);
        assertEquals(11, Request.parseFrom(s.readFrame()).getCallId());
        assertEquals(12, Request.parseFrom(s.readFrame()).getCallId());
    }

    @Test
    void messageOfExactlyTheLimitPassesOneMoreByteCloses() throws Exception {
        FrameSocket s = connect();
        s.hello();
        s.roundTrip(new byte[MAX_FRAME]);
        s.writeFrame(new byte[MAX_FRAME + 1]);
        s.assertClosedByServer();
    }

    @Test
    void garbageClosesOnlyThatConnection() throws Exception {
        FrameSocket good = goodConnection();
        Random random = new Random(20261122L);
        for (int i = 0; i < 4; i++) {
            FrameSocket bad = connect();
            if (i % 2 == 1) {
                bad.hello(); // garbage after a valid handshake too
            }
            byte[] garbage = new byte[512];
            random.nextBytes(garbage);
            bad.writeRaw(garbage);
            bad.assertClosedByServer();
            good.roundTrip(("still alive " + i).getBytes());
        }
        assertEquals(1 + 2, handler.connected.size());
    }

    @Test
    void truncatedFrameThenDisconnectClosesOnlyThatConnection() throws Exception {
        FrameSocket good = goodConnection();
        FrameSocket bad = connect();
        bad.hello();
        Await.until("both connected", () -> handler.connected.size() == 2);
        bad.writeHeader(100, Frames.VERSION, new byte[10]); // promises 98 message bytes, sends 10
        bad.close();
        Await.until("bad one disconnected", () -> handler.disconnected.size() == 1);
        assertFalse(handler.disconnected.contains(1L), "the good connection must not be disconnected");
        assertNull(handler.requests.get(2L), "no request may reach the handler from a truncated frame");
        good.roundTrip("after truncation".getBytes());
    }

    @Test
    void oversizedLengthHeaderClosesAtOnce() throws Exception {
        FrameSocket good = goodConnection();
        FrameSocket bad = connect();
        bad.hello();
        // Only the header is sent: the server must not wait for (or buffer) the announced body.
        bad.writeHeader(MAX_FRAME + 3, Frames.VERSION, new byte[0]);
        bad.assertClosedByServer();

        FrameSocket bad2 = connect();
        bad2.writeHeader(Integer.MAX_VALUE, Frames.VERSION, new byte[0]);
        bad2.assertClosedByServer();
        good.roundTrip("after oversized".getBytes());
    }

    @Test
    void malformedLengthCloses() throws Exception {
        FrameSocket good = goodConnection();
        FrameSocket bad = connect();
        bad.writeRaw(new byte[] {0, 0, 0, 1, 0});
        bad.assertClosedByServer();
        good.roundTrip("after malformed".getBytes());
    }

    /**
     * A client of a newer protocol version learns why it is refused: its Hello, in a frame of that
     * version, is answered by a version-1 HelloReply carrying PROTOCOL_ERROR, then the connection
     * closes.
     */
    @Test
    void helloInAFrameOfANewerVersionIsAnsweredWithATypedErrorThenClosed() throws Exception {
        FrameSocket good = goodConnection();
        FrameSocket bad = connect();
        byte[] hello = Hello.newBuilder().setProtocolVersion(Frames.VERSION + 1).build().toByteArray();
        bad.writeHeader(hello.length + 2, Frames.VERSION + 1, hello);
        HelloReply refusal = HelloReply.parseFrom(bad.readFrame());
        assertRefusal(refusal.getError(), "protocol version " + (Frames.VERSION + 1));
        assertEquals(Frames.VERSION, refusal.getProtocolVersion(), "the version this replica speaks");
        bad.assertClosedByServer();
        good.roundTrip("after wrong version".getBytes());
        assertEquals(1, handler.connected.size(), "the refused connection never reached the handler");
    }

    @Test
    void helloOfAnotherProtocolVersionIsAnsweredWithATypedErrorThenClosed() throws Exception {
        FrameSocket good = goodConnection();
        FrameSocket bad = connect();
        bad.writeFrame(Hello.newBuilder().setProtocolVersion(Frames.VERSION + 1).build().toByteArray());
        HelloReply refusal = HelloReply.parseFrom(bad.readFrame());
        assertRefusal(refusal.getError(), "Hello protocol_version " + (Frames.VERSION + 1));
        bad.assertClosedByServer();
        good.roundTrip("after bad hello".getBytes());
        assertEquals(1, handler.connected.size());
    }

    /** After the Hello, a frame of another version is answered by a Response with call id 0 and PROTOCOL_ERROR. */
    @Test
    void laterFrameOfAnotherVersionIsAnsweredWithATypedErrorThenClosed() throws Exception {
        FrameSocket good = goodConnection();
        FrameSocket bad = connect();
        bad.hello();
        byte[] req = request(5);
        byte[] next = Frames.encode(request(6)); // in the same packet: never served
        byte[] both = ByteBuffer.allocate(6 + req.length + next.length).putInt(req.length + 2)
                .putShort((short) 0xffff).put(req).put(next).array();
        bad.writeRaw(both);
        Response refusal = Response.parseFrom(bad.readFrame());
        assertEquals(0, refusal.getCallId(), refusal::toString);
        assertRefusal(refusal.getError(), "protocol version 65535");
        bad.assertClosedByServer();
        good.roundTrip("after a later wrong version".getBytes());
        assertEquals(2, handler.requestCount(), "only the good connection's two requests were handled");
    }

    private static void assertRefusal(io.chubby.protocol.Error error, String names) {
        assertEquals(ErrorCode.PROTOCOL_ERROR.wire(), error.getCode(), error::toString);
        assertTrue(error.getMessage().contains(names), error::toString);
        assertTrue(error.getMessage().contains("speaks version " + Frames.VERSION), error::toString);
    }

    @Test
    void nonHelloFirstFrameCloses() throws Exception {
        FrameSocket good = goodConnection();
        // call_id = 1 reads as Hello.protocol_version = 1; the other fields give it away.
        FrameSocket bad = connect();
        bad.writeFrame(request(1));
        bad.assertClosedByServer();

        FrameSocket bad2 = connect();
        bad2.writeFrame(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
        bad2.assertClosedByServer();

        FrameSocket bad3 = connect(); // a rejected first frame and a valid Hello in one packet
        byte[] hello = Frames.encode(Hello.newBuilder().setProtocolVersion(Frames.VERSION).build().toByteArray());
        byte[] first = Frames.encode(request(1));
        byte[] both = new byte[first.length + hello.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(hello, 0, both, first.length, hello.length);
        bad3.writeRaw(both);
        bad3.assertClosedByServer();

        good.roundTrip("after non-hello".getBytes());
        assertEquals(1, handler.connected.size(), "rejected connections never reach the handler");
        assertEquals(2, handler.requestCount(), "only the good connection's two requests were handled");
    }

    @Test
    void silentConnectionIsClosedAfterHandshakeTimeout() throws Exception {
        FrameSocket good = goodConnection();
        FrameSocket silent = connect();
        silent.assertClosedByServer(); // handshake timeout is 1 s here; the socket timeout 5 s
        good.roundTrip("after silence".getBytes());
    }

    @Test
    void manyConcurrentClients() throws Exception {
        int clients = 40;
        int calls = 25;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                results.add(pool.submit(() -> {
                    try (FrameSocket s = FrameSocket.connect(acceptor.localAddress())) {
                        s.hello();
                        int ok = 0;
                        for (long call = 1; call <= calls; call++) {
                            s.writeFrame(request(call));
                            if (Request.parseFrom(s.readFrame()).getCallId() == call) {
                                ok++;
                            }
                        }
                        return ok;
                    }
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(calls, f.get(20, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(clients * calls, handler.requestCount());
        Await.until("all disconnected", () -> handler.disconnected.size() == clients);
    }

    /**
     * A client process that dies resets its connection: routine for a replica, so one INFO line
     * from the handler and nothing at WARN or ERROR (MINA's own processor logged every reset at
     * ERROR, logger org.apache.mina.core.service.IoProcessor). slf4j-simple writes to System.err
     * as it is at each message; the capture is checked to work.
     */
    @Test
    void aClientThatDiesIsOneInfoLineAndNoError() throws Exception {
        String probe = "capture-probe";
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LoggerFactory.getLogger("org.apache.mina.core.service.IoProcessor").error(probe);
            FrameSocket dying = connect();
            dying.hello();
            dying.roundTrip("alive".getBytes());
            dying.reset();
            Await.until("the handler to hear that the client is gone", () -> handler.disconnected.size() == 1);
            Await.until("the INFO line", () -> captured.toString(StandardCharsets.UTF_8).contains("client connection lost"));
        } finally {
            System.setErr(original);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.contains(probe)), "the capture sees the log: " + lines);
        List<String> lost = lines.stream().filter(l -> l.contains("client connection lost")).toList();
        assertEquals(1, lost.size(), lines::toString);
        assertTrue(lost.get(0).contains(" INFO ") && lost.get(0).contains("cause=\"Connection reset\""), lost.get(0));
        assertEquals(List.of(), lines.stream().filter(l -> !l.contains(probe))
                .filter(l -> l.contains("ERROR") || l.contains("WARN") || l.contains("\tat ")).toList());
        goodConnection(); // the acceptor serves on
    }
}
