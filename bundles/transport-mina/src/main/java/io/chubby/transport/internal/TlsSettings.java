package io.chubby.transport.internal;

import io.chubby.client.internal.tls.TlsConfigException;
import io.chubby.client.internal.tls.TlsFiles;
import java.nio.file.Path;
import java.util.Locale;
import javax.net.ssl.SSLContext;

/**
 * TLS of one transport side, checked and loaded when the component activates: a missing file, an
 * unreadable key, a key that does not belong to its certificate or a bad {@code client.auth} value
 * fails activation with a message naming the configuration key ({@code prefix + "cert"}, ...).
 *
 * @param context    the loaded context; null when TLS is off
 * @param clientAuth what the accepting side asks of the other side's certificate
 */
public record TlsSettings(SSLContext context, ClientAuth clientAuth) {
    /** TLS off. */
    public static final TlsSettings OFF = new TlsSettings(null, ClientAuth.NONE);

    /** What an accepting side asks of the connecting side's certificate. */
    public enum ClientAuth {
        /** None asked for. */
        NONE,
        /** Asked for, optional; one that is sent must chain to the CA. */
        WANT,
        /** Required: no certificate, no connection. */
        NEED;

        static ClientAuth parse(String value, String key) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + " must be want, need or none, was \"" + value + "\"");
            }
        }
    }

    public boolean enabled() {
        return context != null;
    }

    /**
     * Loads the files named by the keys {@code prefix + "cert"}, {@code "key"}, {@code "ca"},
     * {@code "password"} (e.g. prefix {@code transport.client.tls.}). With TLS enabled the
     * certificate and the CA are required (the key too, unless the certificate is PKCS#12).
     *
     * @throws IllegalArgumentException naming the key and the problem
     */
    public static TlsSettings load(String prefix, boolean enabled, String cert, String key, String ca,
                                   String password, ClientAuth clientAuth) {
        if (!enabled) {
            return OFF;
        }
        TlsFiles.Names names = new TlsFiles.Names(prefix + "cert", prefix + "key", prefix + "ca",
                prefix + "password");
        String certPath = required(cert, names.cert(), prefix);
        String caPath = required(ca, names.ca(), prefix);
        Path certFile = Path.of(certPath);
        Path keyFile = blank(key) ? null : Path.of(key.trim());
        if (keyFile == null && !TlsFiles.isPkcs12(certFile)) {
            throw new IllegalArgumentException(names.key() + " is not set: " + prefix + "enabled=true with a PEM "
                    + names.cert() + " needs the PEM PKCS#8 private key");
        }
        char[] pw = blank(password) ? null : password.toCharArray();
        try {
            return new TlsSettings(TlsFiles.context(certFile, keyFile, Path.of(caPath), pw, names), clientAuth);
        } catch (TlsConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } finally {
            if (pw != null) {
                java.util.Arrays.fill(pw, '\0');
            }
        }
    }

    private static String required(String value, String key, String prefix) {
        if (blank(value)) {
            throw new IllegalArgumentException(key + " is not set (" + prefix + "enabled=true needs it)");
        }
        return value.trim();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
