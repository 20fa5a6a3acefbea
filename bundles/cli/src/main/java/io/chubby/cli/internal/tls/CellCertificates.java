package io.chubby.cli.internal.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway CA and the certificates of a local cell, under {@code DIR/tls/}: {@code ca.pem} /
 * {@code ca.key}, per replica {@code replica-<i>.pem} / {@code .key} (CN {@code replica-<i>.<cell>},
 * SAN IP 127.0.0.1 and DNS localhost, serverAuth + clientAuth: a replica presents it on its client
 * port and on both ends of its peer links), and {@code admin.pem} / {@code .key} (CN {@code admin},
 * clientAuth only, no SAN: it cannot pose as a replica). EC P-256 keys, PKCS#8 PEM, mode 600;
 * certificate files hold the chain (leaf, then CA). Existing files are kept: a second run reuses
 * them and makes only what is missing (with the existing CA).
 */
public final class CellCertificates {
    private static final Duration VALIDITY = Duration.ofDays(365);

    private CellCertificates() {
    }

    /** Makes what is missing under {@code dir}; returns one line saying what was made or reused. */
    public static String ensure(Path dir, String cell, int replicas) throws IOException, OperatorCreationException,
            java.security.GeneralSecurityException {
        Files.createDirectories(dir);
        Path caCert = dir.resolve("ca.pem");
        Path caKey = dir.resolve("ca.key");
        List<String> made = new ArrayList<>();
        X509Certificate ca;
        PrivateKey caPrivate;
        if (Files.isRegularFile(caCert) && Files.isRegularFile(caKey)) {
            ca = readCertificate(caCert);
            caPrivate = readKey(caKey);
        } else {
            KeyPair kp = keyPair();
            X500Name name = new X500Name("CN=chubby cell " + cell + " CA");
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), name, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            ca = sign(b, kp.getPrivate());
            caPrivate = kp.getPrivate();
            writeKey(caKey, caPrivate);
            Files.writeString(caCert, pem(ca));
            made.add("ca");
        }
        for (int i = 1; i <= replicas; i++) {
            if (issue(dir, "replica-" + i, "replica-" + i + "." + cell, true, ca, caPrivate)) {
                made.add("replica-" + i);
            }
        }
        if (issue(dir, "admin", "admin", false, ca, caPrivate)) {
            made.add("admin");
        }
        return made.isEmpty() ? "tls: reusing the CA and certificates in " + dir
                : "tls: made " + String.join(", ", made) + " in " + dir + " (CA: " + caCert.getFileName() + ")";
    }

    /**
     * A client certificate for principal {@code cn} ({@code cn.pem} / {@code cn.key}, clientAuth
     * only, no SAN), signed by the cell's CA in {@code dir}; an existing pair is kept. Returns one
     * line saying whether it was made or reused.
     */
    public static String client(Path dir, String cn) throws IOException, OperatorCreationException,
            java.security.GeneralSecurityException {
        Path caCert = dir.resolve("ca.pem");
        Path caKey = dir.resolve("ca.key");
        if (!Files.isRegularFile(caCert) || !Files.isRegularFile(caKey)) {
            throw new IOException("no CA in " + dir + ": make the cell with 'chubby cell up --tls' first");
        }
        boolean made = issue(dir, cn, cn, false, readCertificate(caCert), readKey(caKey));
        return "tls: " + (made ? "made" : "reusing") + " the certificate of " + cn + " in " + dir;
    }

    /**
     * A certificate for a server that is not a replica, e.g. a proxy ({@code cn.pem} / {@code cn.key}):
     * serverAuth and clientAuth, SANs 127.0.0.1 and localhost like a local replica's, so it serves
     * clients on this host and is the proxy's principal {@code cn} upstream. An existing pair is kept.
     */
    public static String server(Path dir, String cn) throws IOException, OperatorCreationException,
            java.security.GeneralSecurityException {
        Path caCert = dir.resolve("ca.pem");
        Path caKey = dir.resolve("ca.key");
        if (!Files.isRegularFile(caCert) || !Files.isRegularFile(caKey)) {
            throw new IOException("no CA in " + dir + ": make the cell with 'chubby cell up --tls' first");
        }
        boolean made = issue(dir, cn, cn, true, readCertificate(caCert), readKey(caKey));
        return "tls: " + (made ? "made" : "reusing") + " the server certificate of " + cn + " in " + dir;
    }

    private static boolean issue(Path dir, String file, String cn, boolean replica, X509Certificate ca,
                                 PrivateKey caKey) throws IOException, OperatorCreationException,
            java.security.GeneralSecurityException {
        Path cert = dir.resolve(file + ".pem");
        Path key = dir.resolve(file + ".key");
        if (Files.isRegularFile(cert) && Files.isRegularFile(key)) {
            return false;
        }
        KeyPair kp = keyPair();
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), new X500Name("CN=" + cn),
                kp.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(replica
                ? new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}
                : new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth}));
        if (replica) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        writeKey(key, kp.getPrivate());
        Files.writeString(cert, pem(sign(b, caKey)) + pem(ca));
        return true;
    }

    private static KeyPair keyPair() throws java.security.GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(63, new SecureRandom());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, java.security.cert.CertificateException {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return w.toString();
    }

    private static void writeKey(Path f, PrivateKey key) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(new JcaPKCS8Generator(key, null));
        }
        Files.deleteIfExists(f);
        try {
            Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(f);
        }
        Files.writeString(f, w.toString());
    }

    private static X509Certificate readCertificate(Path f) throws IOException,
            java.security.cert.CertificateException {
        try (Reader r = Files.newBufferedReader(f); PEMParser p = new PEMParser(r)) {
            return new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) p.readObject());
        }
    }

    private static PrivateKey readKey(Path f) throws IOException {
        try (Reader r = Files.newBufferedReader(f); PEMParser p = new PEMParser(r)) {
            return new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) p.readObject());
        }
    }
}
