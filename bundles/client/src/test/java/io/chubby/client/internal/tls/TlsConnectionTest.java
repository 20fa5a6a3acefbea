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
        final List<byte[]> sent = new ArrayList<>();
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

        byte[] drainSent() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            sent.forEach(all::writeBytes);
            sent.clear();
            return all.toByteArray();
        }

        @Override
        public void filterWrite(IoSession s, WriteRequest request) {
            IoBuffer b = (IoBuffer) request.getMessage();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            sent.add(bytes);
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
            assertEquals(1, server.sent.size(), "one write request however many records");
            pump(client, server, 4_096);
            assertArrayEquals(m, client.received.toByteArray(), n + " bytes");
            client.received.reset();
        }
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
