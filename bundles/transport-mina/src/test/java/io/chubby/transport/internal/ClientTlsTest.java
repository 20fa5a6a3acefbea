package io.chubby.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.internal.tls.TlsFiles;
import io.chubby.protocol.HelloReply;
import io.chubby.spi.Authenticator;
import io.chubby.spi.Principal;
import io.chubby.testkit.Await;
import io.chubby.testkit.TestCa;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client acceptor with TLS and logins over real loopback sockets: who each connection is
 * (certificate CN, password, anonymous), and what is refused (a plaintext client on the TLS port,
 * a certificate of another CA, an expired one, wrong passwords, a password without TLS, a user
 * that is not the certificate's): each refusal closes that connection with one WARN line, the
 * handler never sees it, and the acceptor serves on.
 */
class ClientTlsTest {
    private static final TlsFiles.Names NAMES = new TlsFiles.Names("cert", "key", "ca", "password");
    @TempDir
    static Path dir;
    private static TestCa ca;
    private static TestCa otherCa;
    private static TestCa.Issued server;

    private final EchoHandler handler = new EchoHandler();
    private final List<FrameSocket> sockets = new ArrayList<>();
    private final AtomicInteger logins = new AtomicInteger();
    private ClientAcceptor acceptor;

    /** Knows bob/secret; like the acl bundle's, wrong credentials are PERMISSION_DENIED naming the user. */
    private final Authenticator authenticator = (user, password, remote) -> {
        logins.incrementAndGet();
        if (user.equals("bob") && new String(password).equals("secret")) {
            return new Principal("bob", Principal.Mechanism.PASSWORD);
        }
        throw new ChubbyException(ErrorCode.PERMISSION_DENIED, "login failed for user " + user);
    };

    @BeforeAll
    static void certificates() {
        ca = TestCa.create(dir, "cell-ca");
        otherCa = TestCa.create(dir, "other-ca");
        server = ca.issue("replica-1");
    }

    @AfterEach
    void stop() {
        sockets.forEach(FrameSocket::close);
        if (acceptor != null) {
            acceptor.stop();
        }
        TransportThreads.awaitNone();
    }

    private void start(TlsSettings tls, boolean plaintextPasswords, Authenticator a) {
        acceptor = new ClientAcceptor(ClientSettings.of(new InetSocketAddress("127.0.0.1", 0))
                .withTls(tls, plaintextPasswords), handler);
        acceptor.setAuthenticator(a);
        acceptor.start();
    }

    private void startTls(TlsSettings.ClientAuth auth) {
        start(TlsSettings.load("transport.client.tls.", true, server.cert().toString(), server.key().toString(),
                ca.caFile().toString(), "", auth), false, authenticator);
    }

    /**
     * A client context trusting our CA that presents {@code cert} (null: none) whatever the
     * server's list of acceptable CAs says: the JDK's key manager would quietly send nothing for a
     * certificate of another CA, and a hostile client would send it anyway.
     */
    private static SSLContext client(TestCa.Issued cert) {
        try {
            SSLContext c = SSLContext.getInstance("TLSv1.3");
            javax.net.ssl.KeyManager[] km = null;
            if (cert != null) {
                javax.net.ssl.X509ExtendedKeyManager d = (javax.net.ssl.X509ExtendedKeyManager)
                        TlsFiles.keyManagers(cert.cert(), cert.key(), null, NAMES)[0];
                km = new javax.net.ssl.KeyManager[] {new Insisting(d)};
            }
            c.init(km, TlsFiles.trustManagers(ca.caFile(), "ca"), null);
            return c;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Presents its one certificate to any server. */
    private static final class Insisting extends javax.net.ssl.X509ExtendedKeyManager {
        private final javax.net.ssl.X509ExtendedKeyManager d;

        Insisting(javax.net.ssl.X509ExtendedKeyManager d) {
            this.d = d;
        }

        private String alias() {
            return d.getClientAliases("EC", null)[0];
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return d.getClientAliases(keyType, null);
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket s) {
            return alias();
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers,
                                              javax.net.ssl.SSLEngine e) {
            return alias();
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return d.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket s) {
            return d.chooseServerAlias(keyType, issuers, s);
        }

        @Override
        public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
            return d.getCertificateChain(alias);
        }

        @Override
        public java.security.PrivateKey getPrivateKey(String alias) {
            return d.getPrivateKey(alias);
        }
    }

    private FrameSocket tls(TestCa.Issued cert) throws IOException {
        FrameSocket s = FrameSocket.connectTls(acceptor.localAddress(), client(cert));
        sockets.add(s);
        return s;
    }

    private FrameSocket plain() throws IOException {
        FrameSocket s = FrameSocket.connect(acceptor.localAddress());
        sockets.add(s);
        return s;
    }

    private Principal onlyPrincipal() {
        Await.until("the handler to see the connection", () -> handler.principals.size() == 1);
        return handler.principals.values().iterator().next();
    }

    @Test
    void aClientCertificatesCnIsThePrincipal() throws Exception {
        startTls(TlsSettings.ClientAuth.WANT);
        FrameSocket s = tls(ca.issue("alice"));
        HelloReply r = s.hello();
        assertFalse(r.hasError(), r.toString());
        assertEquals("alice", r.getPrincipal());
        assertEquals(new Principal("alice", Principal.Mechanism.TLS_CERTIFICATE), onlyPrincipal());
        s.roundTrip("over tls".getBytes());
    }

    @Test
    void withoutACertificateTheClientIsAnonymousOrAPasswordUser() throws Exception {
        startTls(TlsSettings.ClientAuth.WANT);
        assertEquals("anonymous", tls(null).hello().getPrincipal());
        HelloReply bob = tls(null).hello("bob", "secret");
        assertEquals("bob", bob.getPrincipal(), bob.toString());
        Await.until("both connected", () -> handler.principals.size() == 2);
        assertTrue(handler.principals.containsValue(Principal.ANONYMOUS));
        assertTrue(handler.principals.containsValue(new Principal("bob", Principal.Mechanism.PASSWORD)));
        assertEquals(1, logins.get(), "one login per connection");
    }

    @Test
    void aPlaintextClientOnTheTlsPortIsRefusedWithOneWarnLine() throws Exception {
        startTls(TlsSettings.ClientAuth.WANT);
        try (LogCapture log = new LogCapture()) {
            FrameSocket s = plain();
            s.writeFrame(io.chubby.protocol.Hello.newBuilder().setProtocolVersion(1).build().toByteArray());
            s.assertClosedByServer();
            Await.until("the WARN line", () -> !log.lines("TLS handshake refused").isEmpty());
            List<String> warns = log.lines(" WARN ");
            assertEquals(1, warns.size(), warns::toString);
            assertTrue(warns.get(0).contains("transport=client remote=127.0.0.1:"), warns.get(0));
        }
        assertTrue(handler.connected.isEmpty(), "the handler never saw it");
        tls(ca.issue("carol")).hello(); // serves on
    }

    @Test
    void aCertificateOfAnotherCaIsRefused() throws Exception {
        startTls(TlsSettings.ClientAuth.WANT);
        assertRefusedAtHandshake(otherCa.issue("mallory"), "PKIX");
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        startTls(TlsSettings.ClientAuth.WANT);
        assertRefusedAtHandshake(ca.issueExpired("old"), "validity");
    }

    @Test
    void needClientAuthRefusesAClientWithoutCertificate() throws Exception {
        startTls(TlsSettings.ClientAuth.NEED);
        assertRefusedAtHandshake(null, "certificate");
        assertEquals("dave", tls(ca.issue("dave")).hello().getPrincipal());
    }

    /** The handshake fails (at once, or, TLS 1.3, at the first read), one WARN naming why, no connection. */
    private void assertRefusedAtHandshake(TestCa.Issued cert, String why) throws Exception {
        try (LogCapture log = new LogCapture()) {
            assertThrows(IOException.class, () -> tls(cert).hello());
            Await.until("the WARN line", () -> !log.lines("TLS handshake refused").isEmpty());
            List<String> warns = log.lines(" WARN ");
            assertEquals(1, warns.size(), warns::toString);
            assertTrue(warns.get(0).contains("remote=127.0.0.1:") && warns.get(0).contains(why), warns.get(0));
        }
        assertTrue(handler.connected.isEmpty(), "the handler never saw it");
        assertEquals("erin", tls(ca.issue("erin")).hello().getPrincipal()); // serves on
    }

    @Test
    void wrongPasswordsAreRefusedEveryTimeAndTheRightOneStillWorks() throws Exception {
        startTls(TlsSettings.ClientAuth.WANT);
        for (int i = 0; i < 5; i++) {
            FrameSocket s = tls(null);
            HelloReply r = s.hello("bob", "wrong-" + i);
            assertEquals(ErrorCode.PERMISSION_DENIED.wire(), r.getError().getCode(), r.toString());
            assertTrue(r.getError().getMessage().contains("bob"), r.toString());
            assertEquals("", r.getPrincipal());
            s.assertClosedByServer();
        }
        assertEquals(5, logins.get());
        assertTrue(handler.connected.isEmpty());
        assertEquals("bob", tls(null).hello("bob", "secret").getPrincipal());
    }

    @Test
    void aPasswordWithoutTlsIsRefusedUnlessAllowed() throws Exception {
        start(TlsSettings.OFF, false, authenticator);
        FrameSocket s = plain();
        HelloReply r = s.hello("bob", "secret");
        assertEquals(ErrorCode.PERMISSION_DENIED.wire(), r.getError().getCode());
        assertTrue(r.getError().getMessage().contains("transport.client.password.plaintext"), r.toString());
        s.assertClosedByServer();
        assertEquals(0, logins.get(), "the password was not even checked");
        assertEquals("anonymous", plain().hello().getPrincipal());
        acceptor.stop();

        start(TlsSettings.OFF, true, authenticator);
        assertEquals("bob", plain().hello("bob", "secret").getPrincipal());
    }

    @Test
    void aPasswordWithNoAuthenticatorBoundIsRefusedNeverAnonymous() throws Exception {
        start(TlsSettings.OFF, true, null);
        FrameSocket s = plain();
        HelloReply r = s.hello("bob", "secret");
        assertEquals(ErrorCode.PERMISSION_DENIED.wire(), r.getError().getCode());
        assertTrue(r.getError().getMessage().contains("no authenticator"), r.toString());
        s.assertClosedByServer();
        acceptor.setAuthenticator(authenticator); // bound later (the acl bundle started): logins work
        assertEquals("bob", plain().hello("bob", "secret").getPrincipal());
    }

    @Test
    void aUserOtherThanTheCertificatesIsRefused() throws Exception {
        startTls(TlsSettings.ClientAuth.WANT);
        FrameSocket s = tls(ca.issue("alice"));
        HelloReply r = s.hello("bob", "secret");
        assertEquals(ErrorCode.PERMISSION_DENIED.wire(), r.getError().getCode());
        assertTrue(r.getError().getMessage().contains("alice"), r.toString());
        s.assertClosedByServer();
        assertEquals("alice", tls(ca.issue("alice")).hello("alice", "").getPrincipal());
    }
}
