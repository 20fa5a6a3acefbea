package io.chubby.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.client.internal.tls.CertificateNames;
import io.chubby.client.internal.tls.TlsFiles;
import io.chubby.testkit.TestCa;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS settings and the PEM/PKCS#12 loading behind them: what loads, and that every mistake fails
 * with the configuration key's name and what is wrong (so a replica's activation error points at
 * the setting to fix); the DS constructors fail activation the same way.
 */
class TlsSettingsTest {
    private static final String P = "transport.client.tls.";
    @TempDir
    static Path dir;
    private static TestCa ca;
    private static TestCa.Issued cert;
    private static TestCa.Issued other;

    @BeforeAll
    static void certificates() {
        ca = TestCa.create(dir, "ca");
        cert = ca.issue("replica-1");
        other = ca.issue("replica-2");
    }

    private static TlsSettings load(String certPath, String keyPath, String caPath, String password) {
        return TlsSettings.load(P, true, certPath, keyPath, caPath, password, TlsSettings.ClientAuth.WANT);
    }

    private static void assertFails(String expectedStart, String expectedPart, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().startsWith(expectedStart) && e.getMessage().contains(expectedPart), e.getMessage());
    }

    @Test
    void pemFilesLoad() {
        TlsSettings t = load(cert.cert().toString(), cert.key().toString(), ca.caFile().toString(), "");
        assertTrue(t.enabled());
        assertEquals("TLSv1.3", t.context().getProtocol());
        assertEquals(2, TlsFiles.certificates(cert.cert(), "c").size(), "leaf and CA");
    }

    @Test
    void offNeedsNothing() {
        TlsSettings t = TlsSettings.load(P, false, "", "", "", "", TlsSettings.ClientAuth.WANT);
        assertFalse(t.enabled());
        assertNull(t.context());
    }

    @Test
    void everyMistakeNamesItsKey() {
        String c = cert.cert().toString();
        String k = cert.key().toString();
        String a = ca.caFile().toString();
        assertFails(P + "cert is not set", "enabled=true", () -> load("", k, a, ""));
        assertFails(P + "ca is not set", "", () -> load(c, k, " ", ""));
        assertFails(P + "key is not set", "PEM", () -> load(c, "", a, ""));
        assertFails(P + "cert: ", "does not exist", () -> load(dir.resolve("missing.pem").toString(), k, a, ""));
        assertFails(P + "key: ", "does not exist", () -> load(c, dir.resolve("missing.key").toString(), a, ""));
        assertFails(P + "ca: ", "does not exist", () -> load(c, k, dir.resolve("nope.pem").toString(), ""));
        assertFails(P + "key: ", "holds no PEM private key", () -> load(c, c, a, ""));
        assertFails(P + "cert: ", "holds no PEM certificate", () -> load(k, k, a, ""));
        assertFails(P + "key does not belong to the certificate in " + P + "cert", "CN=replica-1",
                () -> load(c, other.key().toString(), a, ""));
        assertFails(P + "client.auth must be want, need or none", "sometimes",
                () -> TlsSettings.ClientAuth.parse("sometimes", P + "client.auth"));
    }

    @Test
    void anUnreadableKeyNamesItsKey() throws Exception {
        Path locked = Files.copy(cert.key(), dir.resolve("locked.key"));
        assertTrue(locked.toFile().setReadable(false, false));
        try {
            if (Files.isReadable(locked)) {
                return; // running as root: permissions do not apply
            }
            assertFails(P + "key: ", "not readable", () -> load(cert.cert().toString(), locked.toString(),
                    ca.caFile().toString(), ""));
        } finally {
            locked.toFile().setReadable(true, false);
        }
    }

    @Test
    void aPkcs8KeyOnlyConvertedKeysAreRefusedWithTheFix() throws Exception {
        Path pkcs1 = dir.resolve("rsa.key");
        Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertFails(P + "key: ", "openssl pkcs8 -topk8", () -> load(cert.cert().toString(), pkcs1.toString(),
                ca.caFile().toString(), ""));
    }

    @Test
    void anEncryptedKeyLoadsWithItsPassword() throws Exception {
        PrivateKey pk = TlsFiles.privateKey(cert.key(), null, new TlsFiles.Names("c", "k", "a", "p"));
        Path enc = dir.resolve("encrypted.key");
        try (JcaPEMWriter w = new JcaPEMWriter(Files.newBufferedWriter(enc))) {
            w.writeObject(new JcaPKCS8Generator(pk, new JceOpenSSLPKCS8EncryptorBuilder(
                    org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_aes256_CBC).setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                    .setPassword("pw".toCharArray()).build()));
        }
        assertTrue(load(cert.cert().toString(), enc.toString(), ca.caFile().toString(), "pw").enabled());
        assertFails(P + "key: ", P + "password is not set", () -> load(cert.cert().toString(), enc.toString(),
                ca.caFile().toString(), ""));
        assertFails(P + "key: cannot decrypt", "wrong " + P + "password", () -> load(cert.cert().toString(),
                enc.toString(), ca.caFile().toString(), "nope"));
    }

    @Test
    void aPkcs12FileNeedsNoKeyFile() throws Exception {
        PrivateKey pk = TlsFiles.privateKey(cert.key(), null, new TlsFiles.Names("c", "k", "a", "p"));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("replica", pk, "pw".toCharArray(),
                TlsFiles.certificates(cert.cert(), "c").toArray(new Certificate[0]));
        Path p12 = dir.resolve("replica.p12");
        try (OutputStream out = Files.newOutputStream(p12)) {
            ks.store(out, "pw".toCharArray());
        }
        assertTrue(load(p12.toString(), "", ca.caFile().toString(), "pw").enabled());
        assertFails(P + "cert: cannot open the PKCS#12 file", "wrong " + P + "password",
                () -> load(p12.toString(), "", ca.caFile().toString(), "bad"));
    }

    @Test
    void badTlsConfigurationFailsActivationNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClientAcceptor(
                Configs.of(ClientAcceptor.Config.class, Map.of("transport_client_port", 1,
                        "transport_client_tls_enabled", true, "transport_client_tls_cert", "/nonexistent/c.pem",
                        "transport_client_tls_key", cert.key().toString(),
                        "transport_client_tls_ca", ca.caFile().toString())), new EchoHandler(), null));
        assertTrue(e.getMessage().startsWith("transport.client.tls.cert: /nonexistent/c.pem does not exist"),
                e.getMessage());
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class, () -> new MinaPeerTransport(
                Configs.of(MinaPeerTransport.Config.class, Map.of("transport_peer_tls_enabled", true,
                        "transport_peer_tls_cert", cert.cert().toString(), "transport_peer_tls_key",
                        other.key().toString(), "transport_peer_tls_ca", ca.caFile().toString())),
                new Configs.Identity("c", 1, "1@127.0.0.1:1:2")));
        assertTrue(p.getMessage().startsWith("transport.peer.tls.key does not belong"), p.getMessage());
        TransportThreads.awaitNone();
    }

    @Test
    void certificateNames() {
        assertEquals("replica-1", CertificateNames.commonName(cert.certificate()));
        assertTrue(CertificateNames.covers(cert.certificate(), "127.0.0.1"));
        assertTrue(CertificateNames.covers(cert.certificate(), "localhost"));
        assertFalse(CertificateNames.covers(cert.certificate(), "10.0.0.1"));
        assertFalse(CertificateNames.covers(cert.certificate(), "example.org"));
        TestCa.Issued wild = ca.issue("w", Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600),
                List.of("*.cell.example"));
        assertTrue(CertificateNames.covers(wild.certificate(), "r1.cell.example"));
        assertFalse(CertificateNames.covers(wild.certificate(), "a.r1.cell.example"));
        TestCa.Issued none = ca.issue("admin", Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600),
                List.of());
        assertFalse(CertificateNames.covers(none.certificate(), "127.0.0.1"), "no SANs cover nothing");
    }
}
