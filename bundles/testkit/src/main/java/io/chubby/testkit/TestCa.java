package io.chubby.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for tests (BouncyCastle; EC P-256 keys): a CA certificate
 * and certificates it signs, written as PEM files ({@code NAME.pem} certificate, {@code NAME.key}
 * PKCS#8 key) into a directory. Certificates can be made already expired or for any names, so
 * tests can show what the transports refuse. Needs {@code bcpkix-jdk18on} on the test classpath.
 */
public final class TestCa {
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final String name;
    private final KeyPair keys;
    private final X509Certificate cert;

    private TestCa(Path dir, String name, KeyPair keys, X509Certificate cert) {
        this.dir = dir;
        this.name = name;
        this.keys = keys;
        this.cert = cert;
    }

    /** A new CA named {@code name} ({@code CN=name}), its certificate written to {@code dir/name.pem}. */
    public static TestCa create(Path dir, String name) {
        try {
            Files.createDirectories(dir);
            KeyPair kp = keyPair();
            X500Name subject = new X500Name("CN=" + name);
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))), subject,
                    kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate c = sign(b, kp);
            TestCa ca = new TestCa(dir, name, kp, c);
            Files.writeString(ca.caFile(), pem(c));
            return ca;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CA certificate's PEM file. */
    public Path caFile() {
        return dir.resolve(name + ".pem");
    }

    /** A certificate valid now for a month, for server and client use, SAN IP 127.0.0.1 and DNS localhost. */
    public Issued issue(String cn) {
        Instant now = Instant.now();
        return issue(cn, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)),
                List.of("127.0.0.1", "localhost"));
    }

    /** A certificate that expired an hour ago. */
    public Issued issueExpired(String cn) {
        Instant now = Instant.now();
        return issue(cn, now.minus(Duration.ofDays(2)), now.minus(Duration.ofHours(1)), List.of("127.0.0.1"));
    }

    /**
     * A certificate for {@code cn} valid from {@code notBefore} to {@code notAfter}, with SANs
     * {@code sans} (IP literals as IP SANs, other names as DNS SANs; none: no SAN extension),
     * for serverAuth and clientAuth; files {@code dir/cn.pem} and {@code dir/cn.key} (a file
     * name is made unique when {@code cn} was issued before by this CA).
     */
    public Issued issue(String cn, Instant notBefore, Instant notAfter, List<String> sans) {
        try {
            KeyPair kp = keyPair();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(cert, serial(), Date.from(notBefore),
                    Date.from(notAfter), new X500Name("CN=" + cn), kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            if (!sans.isEmpty()) {
                List<GeneralName> names = new ArrayList<>();
                for (String s : sans) {
                    names.add(new GeneralName(s.matches("[0-9.]+") || s.contains(":") ? GeneralName.iPAddress
                            : GeneralName.dNSName, s));
                }
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(new GeneralName[0])));
            }
            X509Certificate c = sign(b, keys);
            String base = name + "-" + cn;
            Path certFile = dir.resolve(base + ".pem");
            for (int i = 2; Files.exists(certFile); i++) {
                base = name + "-" + cn + "-" + i;
                certFile = dir.resolve(base + ".pem");
            }
            Path keyFile = dir.resolve(base + ".key");
            Files.writeString(certFile, pem(c) + pem(cert));
            StringWriter w = new StringWriter();
            try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
                pw.writeObject(new JcaPKCS8Generator(kp.getPrivate(), null));
            }
            Files.writeString(keyFile, w.toString());
            return new Issued(certFile, keyFile, c);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An issued certificate: PEM chain file (leaf, then the CA), PEM PKCS#8 key file, the certificate. */
    public record Issued(Path cert, Path key, X509Certificate certificate) {
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a test certificate", e);
        }
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return w.toString();
    }
}
