package io.chubby.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway certificate authority for the secured variants of ZooKeeper and etcd, made with the
 * machine's {@code openssl} (3.x): a CA and, per name, an ECDSA P-256 key (PKCS#8 PEM, which Go,
 * ZooKeeper's PEM loader, Netty and the JDK all read) and a certificate signed by the CA with SAN
 * IP 127.0.0.1 and DNS localhost, usable as server and as client certificate. Files:
 * {@code DIR/ca.pem}, {@code DIR/ca.key}, {@code DIR/NAME.pem}, {@code DIR/NAME.key}, and
 * {@code DIR/NAME.bundle.pem} (key then certificate: ZooKeeper's PEM key store format).
 */
public final class Certs {
    private final Path dir;

    private Certs(Path dir) {
        this.dir = dir;
    }

    /** Creates the CA in {@code dir} (a new one every time: the directory is emptied first). */
    public static Certs authority(Path dir) throws IOException, InterruptedException {
        if (Files.exists(dir)) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }
        Files.createDirectories(dir);
        Certs c = new Certs(dir);
        c.openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key");
        c.openssl("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=bench-ca", "-days", "30", "-out", "ca.pem",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return c;
    }

    /** Issues from an existing CA: its certificate and PKCS#8 key are copied into {@code dir}. */
    static Certs signedBy(Path dir, Path caPem, Path caKey) throws IOException {
        Files.createDirectories(dir);
        Files.copy(caPem, dir.resolve("ca.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(caKey, dir.resolve("ca.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return new Certs(dir);
    }

    /** Issues {@code name}.pem/.key with subject CN {@code cn}; returns this. */
    public Certs issue(String name, String cn) throws IOException, InterruptedException {
        Files.writeString(dir.resolve(name + ".ext"), "basicConstraints=CA:FALSE\n"
                + "keyUsage=critical,digitalSignature,keyEncipherment\n"
                + "extendedKeyUsage=serverAuth,clientAuth\n"
                + "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + ".key");
        openssl("req", "-new", "-key", name + ".key", "-subj", "/CN=" + cn, "-out", name + ".csr");
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "30",
                "-extfile", name + ".ext", "-out", name + ".pem");
        Files.writeString(dir.resolve(name + ".bundle.pem"),
                Files.readString(dir.resolve(name + ".key")) + Files.readString(dir.resolve(name + ".pem")));
        return this;
    }

    public Path ca() {
        return dir.resolve("ca.pem");
    }

    public Path cert(String name) {
        return dir.resolve(name + ".pem");
    }

    public Path key(String name) {
        return dir.resolve(name + ".key");
    }

    /** Key then certificate in one PEM file. */
    Path bundle(String name) {
        return dir.resolve(name + ".bundle.pem");
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Procs.run(dir, cmd, 60);
    }

    /**
     * A JDK TLS 1.3 context trusting the CA certificates in {@code caPem} and, when {@code certPem}
     * is not null, presenting that certificate chain with the PKCS#8 key in {@code keyPem}.
     */
    public static SSLContext sslContext(Path caPem, Path certPem, Path keyPem) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int n = 0;
        for (Certificate c : cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(caPem)))) {
            trust.setCertificateEntry("ca" + n++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (certPem != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            Certificate[] chain = cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certPem)))
                    .toArray(Certificate[]::new);
            char[] pw = "bench".toCharArray();
            ks.setKeyEntry("key", privateKey(keyPem, chain[0].getPublicKey().getAlgorithm()), pw, chain);
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
        }
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static PrivateKey privateKey(Path pem, String algorithm) throws Exception {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalArgumentException(pem + " is not a PKCS#8 PEM private key");
        }
        String b64 = text.substring(text.indexOf("-----BEGIN PRIVATE KEY-----") + 27, text.indexOf("-----END PRIVATE KEY-----"))
                .replaceAll("\\s", "");
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }
}
