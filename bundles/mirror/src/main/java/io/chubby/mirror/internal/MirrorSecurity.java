package io.chubby.mirror.internal;

import io.chubby.client.ClientSecurity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * How the mirror reaches one side (the source cell, or its own cell as the target) when that cell
 * authenticates: TLS with the CA its replica certificates chain to ({@code tls.ca}), optionally a
 * client certificate of the mirror's own ({@code tls.cert}, {@code tls.key}, {@code tls.password}),
 * and optionally a password login ({@code user}, password read from {@code password.file}). Every
 * key blank: plaintext and anonymous, as before.
 *
 * <p>Files are read once, when the configuration is applied; a missing or unusable file, a user
 * without a password file or a key without a certificate refuses the configuration with a
 * message naming the key ({@code mirror.source.tls.cert: /x/m.pem does not exist or is not
 * readable}).
 *
 * @param side "source" or "target": the key prefix is {@code mirror.<side>.}
 */
record MirrorSecurity(String side, String ca, String cert, String key, String tlsPassword, String user,
                      String passwordFile) {

    /** Every key blank. */
    static MirrorSecurity none(String side) {
        return new MirrorSecurity(side, "", "", "", "", "", "");
    }

    /**
     * The client library's security for this side.
     *
     * @throws IllegalArgumentException naming the key when a value or a file is unusable
     */
    ClientSecurity resolve() {
        ClientSecurity.Builder b = ClientSecurity.builder();
        String caFile = blankToNull(ca);
        String certFile = blankToNull(cert);
        String keyFile = blankToNull(key);
        if (caFile == null && certFile == null) {
            if (keyFile != null) {
                throw new IllegalArgumentException(name("tls.key") + " is set without " + name("tls.cert"));
            }
        } else {
            if (caFile == null) {
                throw new IllegalArgumentException(name("tls.ca") + " is required with " + name("tls.cert")
                        + ": the CA the " + side + " cell's replica certificates chain to");
            }
            require("tls.ca", caFile);
            if (certFile != null) {
                require("tls.cert", certFile);
                boolean pkcs12 = certFile.endsWith(".p12") || certFile.endsWith(".pfx");
                if (!pkcs12) {
                    if (keyFile == null) {
                        throw new IllegalArgumentException(name("tls.key") + " is required with a PEM "
                                + name("tls.cert"));
                    }
                    require("tls.key", keyFile);
                }
            }
            String pw = blankToNull(tlsPassword);
            try {
                b.tlsFiles(Path.of(caFile), certFile == null ? null : Path.of(certFile),
                        keyFile == null ? null : Path.of(keyFile), pw == null ? null : pw.toCharArray());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name("tls") + ": " + e.getMessage(), e);
            }
        }
        String login = blankToNull(user);
        String pwFile = blankToNull(passwordFile);
        if (login == null) {
            if (pwFile != null) {
                throw new IllegalArgumentException(name("password.file") + " is set without " + name("user"));
            }
        } else {
            if (pwFile == null) {
                throw new IllegalArgumentException(name("user") + " needs " + name("password.file")
                        + ": a file holding the password on its first line");
            }
            require("password.file", pwFile);
            char[] pw = firstLine(pwFile);
            try {
                b.credentials(login, pw);
            } finally {
                Arrays.fill(pw, '\0');
            }
        }
        return b.build();
    }

    private String name(String suffix) {
        return "mirror." + side + "." + suffix;
    }

    private void require(String suffix, String file) {
        if (!Files.isReadable(Path.of(file))) {
            throw new IllegalArgumentException(name(suffix) + ": " + file + " does not exist or is not readable");
        }
    }

    /** The password: the file's first line without its line end; an empty one is refused. */
    private char[] firstLine(String file) {
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(name("password.file") + ": " + file + " cannot be read: " + e, e);
        }
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (line.isEmpty()) {
            throw new IllegalArgumentException(name("password.file") + ": " + file + " holds no password on its "
                    + "first line");
        }
        return line.toCharArray();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
