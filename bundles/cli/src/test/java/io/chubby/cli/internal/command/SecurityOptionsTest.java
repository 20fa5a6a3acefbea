package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ErrorCode;
import io.chubby.cli.internal.Cli;
import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.cli.internal.cell.CellLayout;
import io.chubby.cli.internal.cell.TlsConfig;
import io.chubby.client.internal.tls.CertificateNames;
import io.chubby.client.internal.tls.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The global TLS and login options against a plaintext in-process cell (TLS end to end runs on
 * real replicas: distribution's CellTlsIT), and the certificates and config of {@code cell up --tls}.
 */
class SecurityOptionsTest {
    private final Harness h = Harness.withCell();
    @TempDir
    Path dir;

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void whoamiOnAPlaintextCellIsAnonymous() {
        Result r = h.run("whoami");
        assertEquals(0, r.code(), r::err);
        assertEquals(List.of("anonymous (nothing proved)"), r.outLines());
    }

    @Test
    void aPasswordOnAPlaintextConnectionIsRefusedWithExit14() throws Exception {
        Path pw = Files.writeString(dir.resolve("pw"), "secret\n");
        Result r = h.run("--user", "bob", "--password-file", pw.toString(), "whoami");
        assertEquals(ErrorCode.PERMISSION_DENIED.exitCode(), r.code(), r::err);
        assertEquals(1, r.errLines().size(), r::err);
        assertTrue(r.err().contains("PERMISSION_DENIED") && r.err().contains("needs TLS"), r::err);
        h.env.put("CHUBBY_USER", "bob");
        h.env.put("CHUBBY_PASSWORD", "secret");
        Result put = h.run("put", "/ls/local/x", "v");
        assertEquals(ErrorCode.PERMISSION_DENIED.exitCode(), put.code(), put::err);
        assertFalse(h.exists("/ls/local/x"), "nothing written");
    }

    @Test
    void aUserWithoutAnyPasswordSourceIsAUsageError() {
        Result r = h.run("--user", "bob", "whoami");
        assertEquals(Cli.USAGE, r.code());
        assertTrue(r.err().contains("no password for user bob"), r::err);
    }

    @Test
    void unreadableTlsFilesAreNamed() {
        Result r = h.run("--ca", dir.resolve("missing-ca.pem").toString(), "whoami");
        assertEquals(ErrorCode.INVALID_ARGUMENT.exitCode(), r.code(), r::err);
        assertTrue(r.err().contains("missing-ca.pem does not exist"), r::err);
    }

    @Test
    void globalOptionValuesAreNotTakenForTheCommand() {
        assertEquals("whoami", ChubbyCommand.named("--ca", "ls", "--user", "put", "--password-file", "cat",
                "whoami").orElseThrow());
    }

    @Test
    void cellUpTlsMakesCertificatesOnceAndPointsEveryReplicaAtThem() throws Exception {
        CellLayout layout = new CellLayout(dir.resolve("cell"), 3, 7000, "local");
        layout.create();
        TlsConfig tls = new TlsConfig(layout);
        assertFalse(tls.present());
        String first = tls.ensureCertificates(null); // BouncyCastle from the test class path
        assertTrue(first.startsWith("tls: made ca, replica-1, replica-2, replica-3, admin"), first);
        assertTrue(tls.present());
        byte[] caBefore = Files.readAllBytes(tls.ca());
        assertEquals("tls: reusing the CA and certificates in " + tls.dir(), tls.ensureCertificates(null));
        assertTrue(java.util.Arrays.equals(caBefore, Files.readAllBytes(tls.ca())), "the CA is kept");

        TlsFiles.Names names = new TlsFiles.Names("c", "k", "a", "p");
        X509Certificate r2 = TlsFiles.certificates(tls.cert(2), "c").get(0);
        assertEquals("replica-2.local", CertificateNames.commonName(r2));
        assertTrue(CertificateNames.covers(r2, "127.0.0.1"));
        X509Certificate admin = TlsFiles.certificates(tls.adminCert(), "c").get(0);
        assertEquals("admin", CertificateNames.commonName(admin));
        assertFalse(CertificateNames.covers(admin, "127.0.0.1"), "the admin cannot pose as a replica");
        TlsFiles.context(tls.cert(1), tls.key(1), tls.ca(), null, names); // key belongs to the certificate
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tls.key(1))));

        tls.apply(true);
        Properties client = load(layout.configFile(2, "io.chubby.transport.client"));
        assertEquals("true", client.getProperty("transport.client.tls.enabled"));
        assertEquals(tls.cert(2).toString(), client.getProperty("transport.client.tls.cert"));
        assertEquals(tls.ca().toString(), client.getProperty("transport.client.tls.ca"));
        Properties peer = load(layout.configFile(3, "io.chubby.transport.peer"));
        assertEquals(tls.key(3).toString(), peer.getProperty("transport.peer.tls.key"));
        assertEquals("true", load(layout.configFile(1, "io.chubby.cell")).getProperty("cell.acl.enforce"));
        assertEquals("admin", load(layout.configFile(1, "io.chubby.acl")).getProperty("acl.superusers"));
        assertTrue(tls.exportLine().startsWith("export CHUBBY_TLS_CA=" + tls.ca() + " CHUBBY_TLS_CERT="
                + tls.adminCert() + " CHUBBY_TLS_KEY=" + tls.adminKey()), tls.exportLine());
        assertNotEquals(null, tls.adminSecurity().tls().orElse(null));
    }

    private static Properties load(Path f) throws Exception {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(f)) {
            p.load(r);
        }
        return p;
    }
}
