package io.chubby.transport.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.Member;
import io.chubby.testkit.Await;
import io.chubby.testkit.TestCa;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on peer links over real loopback sockets: replicas with certificates of the cell's
 * CA exchange messages; a process with a certificate of another CA, or with a certificate of the
 * right CA that does not name its member host (a client's, say the admin's), gets no link in
 * either direction: refused at the handshake with one WARN line naming the remote and why.
 */
class PeerTlsTest {
    private static final String CELL = "tlscell";
    @TempDir
    static Path dir;
    private static TestCa ca;
    private static TestCa otherCa;

    private List<Member> members;
    private final MinaPeerTransport[] transports = new MinaPeerTransport[4];
    @SuppressWarnings("unchecked")
    private final BlockingQueue<Integer>[] senders = new BlockingQueue[4];

    @BeforeAll
    static void certificates() {
        ca = TestCa.create(dir, "cell-ca");
        otherCa = TestCa.create(dir, "other-ca");
    }

    @BeforeEach
    void setUp() throws IOException {
        List<Member> m = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                m.add(new Member(id, "127.0.0.1", 1, s.getLocalPort()));
            }
        }
        members = m;
    }

    @AfterEach
    void tearDown() {
        for (MinaPeerTransport t : transports) {
            if (t != null) {
                t.stop();
            }
        }
        TransportThreads.awaitNone();
    }

    private void start(int id, TestCa.Issued cert) {
        TlsSettings tls = TlsSettings.load("transport.peer.tls.", true, cert.cert().toString(), cert.key().toString(),
                ca.caFile().toString(), "", TlsSettings.ClientAuth.NEED);
        MinaPeerTransport t = new MinaPeerTransport(PeerSettings.of(id, CELL, members).withBackoff(20, 200)
                .withTls(tls));
        BlockingQueue<Integer> inbox = new LinkedBlockingQueue<>();
        t.setHandler((from, bytes) -> inbox.add(from));
        t.start();
        transports[id] = t;
        senders[id] = inbox;
    }

    private void awaitFlow(int from, int to) {
        Await.until("a message from " + from + " to " + to, () -> {
            transports[from].send(to, "probe".getBytes(StandardCharsets.UTF_8));
            Integer f = senders[to].poll();
            return f != null && f == from;
        });
    }

    @Test
    void replicasOfTheCellsCaTalkOverMutualTls() throws Exception {
        start(1, ca.issue("replica-1." + CELL));
        start(2, ca.issue("replica-2." + CELL));
        start(3, ca.issue("replica-3." + CELL));
        for (int a = 1; a <= 3; a++) {
            for (int b = 1; b <= 3; b++) {
                if (a != b) {
                    awaitFlow(a, b);
                }
            }
        }
        assertNotNull(senders[1]);
    }

    @Test
    void aPeerWithACertificateOfAnotherCaGetsNoLink() throws Exception {
        try (LogCapture log = new LogCapture()) {
            start(1, ca.issue("replica-1." + CELL));
            start(2, ca.issue("replica-2." + CELL));
            start(3, otherCa.issue("replica-3." + CELL)); // trusts our CA, but is not signed by it
            awaitFlow(1, 2);
            awaitFlow(2, 1);
            Await.until("replica 1 to refuse replica 3's handshake", () -> log.lines(" WARN ").stream().anyMatch(
                    l -> l.contains("TLS handshake refused") && l.contains("transport=peer ")));
            Await.until("replica 1's link to replica 3 to be refused", () -> log.lines(" WARN ").stream().anyMatch(
                    l -> l.contains("TLS handshake refused") && l.contains("transport=peer-link ")));
            assertNoLinksWith(3);
            for (String w : log.lines(" WARN ")) {
                assertTrue(w.contains("TLS handshake refused") && w.contains("remote=127.0.0.1:"), w);
            }
        }
    }

    @Test
    void aCertificateOfTheCaThatDoesNotNameTheMemberHostCannotPoseAsAReplica() throws Exception {
        try (LogCapture log = new LogCapture()) {
            start(1, ca.issue("replica-1." + CELL));
            start(2, ca.issue("replica-2." + CELL));
            // the admin's client certificate: right CA, no SAN naming 127.0.0.1
            start(3, ca.issue("admin", Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600), List.of()));
            awaitFlow(1, 2);
            Await.until("replica 1 to refuse replica 3 as a peer", () -> log.lines(" WARN ").stream().anyMatch(
                    l -> l.contains("does not name its host 127.0.0.1")));
            assertNoLinksWith(3);
        }
    }

    /** Whatever replica {@code bad} sends never arrives, and nothing reaches it; the others talk on. */
    private void assertNoLinksWith(int bad) {
        for (int i = 0; i < 20; i++) {
            transports[bad].send(1, "intruder".getBytes(StandardCharsets.UTF_8));
            transports[bad].send(2, "intruder".getBytes(StandardCharsets.UTF_8));
            transports[1].send(bad, "secret".getBytes(StandardCharsets.UTF_8));
            transports[2].send(bad, "secret".getBytes(StandardCharsets.UTF_8));
        }
        awaitFlow(1, 2); // the good links still work
        awaitFlow(2, 1);
        assertFalse(senders[1].contains(bad), "replica 1 heard from " + bad);
        assertFalse(senders[2].contains(bad), "replica 2 heard from " + bad);
        assertTrue(senders[bad].isEmpty(), "replica " + bad + " heard from the cell: " + senders[bad]);
    }
}
