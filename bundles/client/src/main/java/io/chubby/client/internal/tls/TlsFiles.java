package io.chubby.client.internal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.KeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Loads TLS material from files into the JDK's types. Certificates: PEM (one or more
 * {@code CERTIFICATE} blocks, the leaf first), or a PKCS#12 keystore when the file name ends in
 * {@code .p12} or {@code .pfx} (then it holds the key too). Keys: PEM PKCS#8
 * ({@code PRIVATE KEY}, or {@code ENCRYPTED PRIVATE KEY} with a password); RSA, EC, Ed25519.
 *
 * <p>Every failure is a {@link TlsConfigException} whose message starts with the name the caller
 * gave the file (a configuration key such as {@code transport.client.tls.cert}, or a CLI option)
 * and says what is wrong with it, so a replica's activation error or a command's one line points
 * at the setting to fix. Stateless; thread-safe.
 */
public final class TlsFiles {
    private static final String BEGIN = "-----BEGIN ";

    private TlsFiles() {
    }

    /** Whether {@code file} is read as a PKCS#12 keystore (by its name). */
    public static boolean isPkcs12(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".p12") || n.endsWith(".pfx");
    }

    /**
     * An SSLContext for TLS 1.3 with this side's certificate (null {@code cert}: none) and the CAs
     * the other side must chain to (null {@code ca}: the JDK's default trust store).
     *
     * @param cert     certificate chain, PEM or PKCS#12; null for none
     * @param key      PEM PKCS#8 private key; ignored for PKCS#12, required for PEM
     * @param ca       PEM CA certificates; null for the JDK's defaults
     * @param password PKCS#12 or encrypted-key password; null for none
     * @param names    what to call the files in messages
     */
    public static SSLContext context(Path cert, Path key, Path ca, char[] password, Names names) {
        KeyManager[] km = cert == null ? null : keyManagers(cert, key, password, names);
        TrustManager[] tm = ca == null ? null : trustManagers(ca, names.ca());
        try {
            SSLContext c = SSLContext.getInstance("TLSv1.3");
            c.init(km, tm, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException("this JVM cannot make a TLS 1.3 context: " + e.getMessage(), e);
        }
    }

    /** How the caller names the files (configuration keys, or command-line options). */
    public record Names(String cert, String key, String ca, String password) {
    }

    /** Key managers presenting the certificate chain in {@code cert} with its private key. */
    public static KeyManager[] keyManagers(Path cert, Path key, char[] password, Names names) {
        char[] storePassword = password == null ? new char[0] : password;
        KeyStore ks;
        if (isPkcs12(cert)) {
            ks = pkcs12(cert, storePassword, names);
        } else {
            if (key == null) {
                throw new TlsConfigException(names.key() + " is not set: " + names.cert()
                        + " is a PEM certificate and needs its private key");
            }
            List<X509Certificate> chain = certificates(cert, names.cert());
            PrivateKey pk = privateKey(key, password, names);
            checkPair(chain.get(0), pk, names);
            try {
                ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("key", pk, storePassword, chain.toArray(new Certificate[0]));
            } catch (GeneralSecurityException | IOException e) {
                throw new TlsConfigException(names.cert() + ": cannot hold the key and certificate: " + e.getMessage(),
                        e);
            }
        }
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, storePassword);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException(names.cert() + ": unusable key (wrong " + names.password() + "?): "
                    + e.getMessage(), e);
        }
    }

    /** Trust managers accepting certificates that chain to one of the CA certificates in {@code ca}. */
    public static TrustManager[] trustManagers(Path ca, String name) {
        List<X509Certificate> cas = certificates(ca, name);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                ks.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsConfigException(name + ": cannot use these CA certificates: " + e.getMessage(), e);
        }
    }

    /** The certificates of a PEM file, in file order; at least one. */
    public static List<X509Certificate> certificates(Path file, String name) {
        byte[] bytes = read(file, name);
        if (!new String(bytes, StandardCharsets.US_ASCII).contains(BEGIN + "CERTIFICATE-----")) {
            throw new TlsConfigException(name + ": " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
            Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : all) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new TlsConfigException(name + ": " + file + " holds no certificate");
            }
            return out;
        } catch (CertificateException | IOException e) {
            throw new TlsConfigException(name + ": " + file + " is not a readable PEM certificate: " + e.getMessage(), e);
        }
    }

    /** The private key of a PEM PKCS#8 file, decrypted with {@code password} if it is encrypted. */
    public static PrivateKey privateKey(Path file, char[] password, Names names) {
        String name = names.key();
        String text = new String(read(file, name), StandardCharsets.US_ASCII);
        if (text.contains(BEGIN + "RSA PRIVATE KEY-----") || text.contains(BEGIN + "EC PRIVATE KEY-----")) {
            throw new TlsConfigException(name + ": " + file + " is a PKCS#1/SEC1 key; convert it to PKCS#8 "
                    + "(openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
        }
        KeySpec spec;
        if (text.contains(BEGIN + "ENCRYPTED PRIVATE KEY-----")) {
            if (password == null || password.length == 0) {
                throw new TlsConfigException(name + ": " + file + " is encrypted and " + names.password()
                        + " is not set");
            }
            byte[] der = pem(text, "ENCRYPTED PRIVATE KEY", file, name);
            try {
                EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
                java.security.AlgorithmParameters params = info.getAlgParameters();
                // PBES2 (AES, what openssl writes today) names its real scheme only in its parameters,
                // e.g. PBEWithHmacSHA256AndAES_256; the JDK has no "PBES2" factory
                String alg = info.getAlgName().equals("PBES2") || info.getAlgName().equals("1.2.840.113549.1.5.13")
                        ? params.toString() : info.getAlgName();
                SecretKeyFactory f = SecretKeyFactory.getInstance(alg);
                Cipher cipher = Cipher.getInstance(alg);
                cipher.init(Cipher.DECRYPT_MODE, f.generateSecret(new PBEKeySpec(password)), params);
                spec = info.getKeySpec(cipher);
            } catch (GeneralSecurityException | IOException e) {
                throw new TlsConfigException(name + ": cannot decrypt " + file + " (wrong " + names.password()
                        + "?): " + e.getMessage(), e);
            }
        } else if (text.contains(BEGIN + "PRIVATE KEY-----")) {
            spec = new PKCS8EncodedKeySpec(pem(text, "PRIVATE KEY", file, name));
        } else {
            throw new TlsConfigException(name + ": " + file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        for (String alg : List.of("RSA", "EC", "Ed25519", "EdDSA", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // try the next algorithm: PKCS#8 names it inside, but KeyFactory needs it up front
            }
        }
        throw new TlsConfigException(name + ": " + file + " is not an RSA, EC or Ed25519 PKCS#8 key");
    }

    private static KeyStore pkcs12(Path file, char[] password, Names names) {
        byte[] bytes = read(file, names.cert());
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new java.io.ByteArrayInputStream(bytes), password);
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsConfigException(names.cert() + ": cannot open the PKCS#12 file " + file + " (wrong "
                    + names.password() + "?): " + e.getMessage(), e);
        }
    }

    /** A key that does not belong to its certificate fails every handshake obscurely: say so now. */
    private static void checkPair(X509Certificate cert, PrivateKey key, Names names) {
        PublicKey pub = cert.getPublicKey();
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (alg == null) {
            return;
        }
        try {
            byte[] probe = "chubby key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            if (v.verify(sig)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another type than the certificate's: the same mistake
        }
        throw new TlsConfigException(names.key() + " does not belong to the certificate in " + names.cert()
                + " (subject " + cert.getSubjectX500Principal().getName() + ")");
    }

    private static byte[] pem(String text, String type, Path file, String name) {
        String begin = BEGIN + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end, b);
        if (b < 0 || e < 0) {
            throw new TlsConfigException(name + ": " + file + " has no complete " + type + " block");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new TlsConfigException(name + ": " + file + " has a damaged " + type + " block: " + ex.getMessage(), ex);
        }
    }

    private static byte[] read(Path file, String name) {
        try {
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new TlsConfigException(name + ": " + file + " does not exist", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new TlsConfigException(name + ": " + file + " is not readable (permission denied)", e);
        } catch (IOException e) {
            throw new TlsConfigException(name + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
