package io.chubby.proxy.internal;

import io.chubby.client.ClientSecurity;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the proxy reaches its cell: plaintext, or TLS 1.3 with the CA the replicas' certificates
 * chain to ({@code proxy.upstream.tls.ca}) and, for a secured cell, the proxy's own client
 * certificate ({@code proxy.upstream.tls.cert}, {@code .key}, {@code .password}), whose CN the
 * cell must list in {@code cell.proxy.principals}. With a certificate the proxy carries its
 * clients' principals upstream ({@link Principals}).
 *
 * @param security         the client library's security for the raw channel
 * @param carryPrincipals  whether the proxy authenticates with a certificate of its own
 */
record UpstreamTls(ClientSecurity security, boolean carryPrincipals) {
    static final UpstreamTls PLAINTEXT = new UpstreamTls(ClientSecurity.NONE, false);

    /**
     * From the configuration's values (blank: not set).
     *
     * @throws IllegalArgumentException naming the key when a file is missing or unusable
     */
    static UpstreamTls of(String ca, String cert, String key, String password) {
        String caFile = blankToNull(ca);
        String certFile = blankToNull(cert);
        String keyFile = blankToNull(key);
        if (caFile == null && certFile == null) {
            if (keyFile != null) {
                throw new IllegalArgumentException("proxy.upstream.tls.key is set without proxy.upstream.tls.cert");
            }
            return PLAINTEXT;
        }
        if (caFile == null) {
            throw new IllegalArgumentException("proxy.upstream.tls.ca is required with proxy.upstream.tls.cert: the "
                    + "CA the cell's replica certificates chain to");
        }
        require("proxy.upstream.tls.ca", caFile);
        if (certFile != null) {
            require("proxy.upstream.tls.cert", certFile);
            boolean pkcs12 = certFile.endsWith(".p12") || certFile.endsWith(".pfx");
            if (!pkcs12) {
                if (keyFile == null) {
                    throw new IllegalArgumentException("proxy.upstream.tls.key is required with a PEM "
                            + "proxy.upstream.tls.cert");
                }
                require("proxy.upstream.tls.key", keyFile);
            }
        }
        String pw = blankToNull(password);
        try {
            return new UpstreamTls(ClientSecurity.builder().tlsFiles(Path.of(caFile),
                    certFile == null ? null : Path.of(certFile), keyFile == null ? null : Path.of(keyFile),
                    pw == null ? null : pw.toCharArray()).build(), certFile != null);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("proxy.upstream.tls: " + e.getMessage(), e);
        }
    }

    private static void require(String keyName, String file) {
        if (!Files.isReadable(Path.of(file))) {
            throw new IllegalArgumentException(keyName + ": " + file + " does not exist or is not readable");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
