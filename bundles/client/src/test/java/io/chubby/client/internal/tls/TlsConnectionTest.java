package io.chubby.client.internal.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.testkit.TestCa;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilter.NextFilter;
import org.apache.mina.core.session.DummySession;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.DefaultWriteRequest;
import org.apache.mina.core.write.WriteRequest;
import org.apache.mina.filter.FilterEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@link TlsConnection}s, a client and a server engine, joined by hand with no sockets: every
 * record one side hands down is fed to the other, in pieces of any size (one byte at a time
 * included), so the handshake, records split across reads, several records in one read, writes
 * held until the handshake is done, messages longer than one record, and a peer that is not TLS
 * are all checked deterministically.
 */
class TlsConnectionTest {
    @TempDir
    static Path dir;
    private static SSLContext serverContext;
    private static SSLContext clientContext;
    private static SSLContext strangerContext;

    @BeforeAll
    static void certificates() {
        TestCa ca = TestCa.create(dir, "ca");
        TestCa other = TestCa.create(dir, "other");
        TestCa.Issued server = ca.issue("server");
        TestCa.Issued client = ca.issue("client");
        TestCa.Issued stranger = other.issue("stranger");
        TlsFiles.Names names = new TlsFiles.Names("cert", "key", "ca", "password");
        serverContext = TlsFiles.context(server.cert(), server.key(), ca.caFile(), null, names);
        clientContext = TlsFiles.context(client.cert(), client.key(), ca.caFile(), null, names);
        strangerContext = TlsFiles.context(stranger.cert(), stranger.key(), other.caFile(), null, names);
    }

    /** What one side handed down (ciphertext) and up (plaintext). */
    private static final class Side implements NextFilter {
        final DummySession session = new DummySession();
        final TlsConnection tls;
        final java.util.Queue<WriteRequest> queued = new java.util.concurrent.ConcurrentLinkedQueue<>();
        final List<WriteRequest> sent = new ArrayList<>();
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        int securedEvents;

        Side(SSLContext ctx, boolean client) {
            SSLEngine e = ctx.createSSLEngine("127.0.0.1", 1);
            e.setUseClientMode(client);
            e.setEnabledProtocols(new String[] {"TLSv1.3"});
            if (!client) {
                e.setNeedClientAuth(true);
            }
            tls = new TlsConnection(e, session);
        }

        void read(byte[] ciphertext) throws SSLException {
            TlsConnection.Opened o = tls.receive(this, IoBuffer.wrap(ciphertext));
            if (o.secured()) {
                securedEvents++;
                assertEquals(0, received.size(), "SECURED comes before any application data");
            }
            if (o.plaintext() != null) {
                byte[] b = new byte[o.plaintext().remaining()];
                o.plaintext().get(b);
                received.writeBytes(b);
            }
        }

        /** What the I/O thread would send: the queue taken head by head, as {@link SealingQueue} does. */
        byte[] drainSent() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            WriteRequest head;
            while ((head = queued.poll()) != null) {
                WriteRequest out = tls.sealQueued(head, queued);
                sent.add(out);
                IoBuffer b = (IoBuffer) out.getMessage();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                all.writeBytes(bytes);
            }
            return all.toByteArray();
        }

        @Override
        public void filterWrite(IoSession s, WriteRequest request) {
            queued.add(request); // the session's write queue
        }

        // the rest of the chain is not used by TlsConnection
        @Override public void sessionCreated(IoSession s) { }
        @Override public void sessionOpened(IoSession s) { }
        @Override public void sessionClosed(IoSession s) { }
        @Override public void sessionIdle(IoSession s, IdleStatus status) { }
        @Override public void exceptionCaught(IoSession s, Throwable cause) { }
        @Override public void inputClosed(IoSession s) { }
        @Override public void messageReceived(IoSession s, Object message) { }
        @Override public void messageSent(IoSession s, WriteRequest request) { }
        @Override public void filterClose(IoSession s) { }
        @Override public void event(IoSession s, FilterEvent event) { }
    }

    /** Moves everything in flight between the two sides, {@code piece} bytes per read, until nothing moves. */
    private static void pump(Side a, Side b, int piece) throws SSLException {
        boolean moved = true;
        while (moved) {
            moved = deliver(a, b, piece) | deliver(b, a, piece);
        }
    }

    private static boolean deliver(Side from, Side to, int piece) throws SSLException {
        byte[] bytes = from.drainSent();
        for (int off = 0; off < bytes.length; off += piece) {
            byte[] part = new byte[Math.min(piece, bytes.length - off)];
            System.arraycopy(bytes, off, part, 0, part.length);
            to.read(part);
        }
        return bytes.length > 0;
    }

    private static WriteRequest message(byte[] bytes) {
        return new DefaultWriteRequest(IoBuffer.wrap(bytes.clone()));
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void handshakeSecuresBothSidesOnceAndExposesThePeerCertificate() throws Exception {
        Side client = new Side(clientContext, true);
        Side server = new Side(serverContext, false);
        client.tls.start(client);
        pump(client, server, Integer.MAX_VALUE);
        assertTrue(client.tls.secured());
        assertTrue(server.tls.secured());
        assertEquals(1, client.securedEvents);
        assertEquals(1, server.securedEvents);
        assertNotNull(server.session.getAttribute(TlsFilter.SECURED_SESSION));
        javax.net.ssl.SSLSession s = (javax.net.ssl.SSLSession) server.session.getAttribute(TlsFilter.SECURED_SESSION);
        assertTrue(s.getPeerPrincipal().getName().contains("CN=client"), s.getPeerPrincipal().getName());
    }

    @Test
    void writesMadeBeforeTheHandshakeAreHeldThenSentInOrder() throws Exception {
        Side client = new Side(clientContext, true);
        Side server = new Side(serverContext, false);
        client.tls.start(client);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 20; i++) {
            byte[] m = random(100 + i, i);
            expected.writeBytes(m);
            client.tls.write(client, message(m));
        }
        pump(client, server, Integer.MAX_VALUE);
        assertArrayEquals(expected.toByteArray(), server.received.toByteArray());
    }

    @Test
    void recordsSplitAcrossReadsAndJoinedInOneReadAllOpen() throws Exception {
        for (int piece : new int[] {1, 7, 100, 5_000, Integer.MAX_VALUE}) {
            Side client = new Side(clientContext, true);
            Side server = new Side(serverContext, false);
            client.tls.start(client);
            pump(client, server, piece);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int i = 0; i < 30; i++) {
                byte[] m = random(1 + i * 37, piece + i);
                expected.writeBytes(m);
                client.tls.write(client, message(m));
            }
            pump(client, server, piece);
            assertArrayEquals(expected.toByteArray(), server.received.toByteArray(), "pieces of " + piece);
        }
    }

    @Test
    void messagesLongerThanOneRecordArriveWhole() throws Exception {
        Side client = new Side(clientContext, true);
        Side server = new Side(serverContext, false);
        client.tls.start(client);
        pump(client, server, Integer.MAX_VALUE);
        for (int n : new int[] {16_384, 16_385, 70_000, 300_000}) {
            byte[] m = random(n, n);
            server.tls.write(server, message(m));
            server.sent.clear();
            pump(client, server, 4_096);
            assertEquals(1, server.sent.size(), "one write request however many records");
            assertArrayEquals(m, client.received.toByteArray(), n + " bytes");
            client.received.reset();
        }
    }

    @Test
    void writesQueuedTogetherAreSealedTogetherAndCompleteTogether() throws Exception {
        Side client = new Side(clientContext, true);
        Side server = new Side(serverContext, false);
        client.tls.start(client);
        pump(client, server, Integer.MAX_VALUE);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        List<WriteRequest> writes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] m = random(100, 1_000 + i);
            expected.writeBytes(m);
            WriteRequest w = new DefaultWriteRequest(IoBuffer.wrap(m.clone()),
                    new org.apache.mina.core.future.DefaultWriteFuture(client.session));
            writes.add(w);
            client.tls.write(client, w);
        }
        client.sent.clear();
        byte[] wire = client.drainSent();
        assertEquals(1, client.sent.size(), "50 queued writes of 100 bytes leave as one batch");
        SealedBatch batch = (SealedBatch) client.sent.get(0);
        assertEquals(writes, batch.writes());
        assertTrue(wire.length < 50 * 100 + 50, "one record's overhead, not fifty: " + wire.length + " bytes");
        batch.getFuture().setWritten(); // what the I/O thread does once the bytes are out
        for (WriteRequest w : writes) {
            assertTrue(w.getFuture().isWritten());
        }
        server.read(wire);
        assertArrayEquals(expected.toByteArray(), server.received.toByteArray());

        // more than COALESCE_MAX_BYTES queued: several batches, nothing lost, order kept
        expected.reset();
        server.received.reset();
        for (int i = 0; i < 10; i++) {
            byte[] m = random(10_000, 2_000 + i);
            expected.writeBytes(m);
            client.tls.write(client, message(m));
        }
        client.sent.clear();
        server.read(client.drainSent());
        assertTrue(client.sent.size() >= 2, "capped at " + TlsConnection.COALESCE_MAX_BYTES + " bytes a pass");
        assertArrayEquals(expected.toByteArray(), server.received.toByteArray());
    }

    @Test
    void aCertificateOfAnotherCaFailsTheHandshakeOnBothSides() throws Exception {
        Side client = new Side(strangerContext, true);
        Side server = new Side(serverContext, false);
        client.tls.start(client);
        SSLException refused = assertThrows(SSLException.class, () -> pump(client, server, Integer.MAX_VALUE));
        assertNotNull(refused.getMessage());
        assertFalse(client.tls.secured());
        assertFalse(server.tls.secured());
    }

    @Test
    void plaintextIsRefusedAsNotTls() {
        Side server = new Side(serverContext, false);
        byte[] hello = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThrows(SSLException.class, () -> server.read(hello));
        assertFalse(server.tls.secured());
    }
}
