package io.chubby.client;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.internal.tls.TlsConfigException;
import io.chubby.client.internal.tls.TlsFiles;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Who a client says it is and how it talks to the cell: TLS (the JDK's {@link SSLContext}: the
 * CA the replicas' certificates must chain to, and optionally this client's own certificate,
 * which the cell then takes as its principal) and a user name with a password, which the cell's
 * authenticator checks once per connection (refused with PERMISSION_DENIED when wrong). With
 * neither, the client is {@code anonymous}. Immutable; {@link #NONE} is plaintext and anonymous.
 *
 * <p>With TLS on, the client checks that each replica's certificate names the host it dialled
 * (a SAN IP address for {@code 127.0.0.1:7001}, a SAN DNS name for {@code host:7001}); turn that
 * off with {@link Builder#verifyHost(boolean)} only for certificates made without SANs.
 *
 * @since 1.4
 */
public final class ClientSecurity {
    /** Environment variable: PEM file of the CA certificates the replicas' certificates chain to. */
    public static final String TLS_CA_ENV = "CHUBBY_TLS_CA";
    /** Environment variable: this client's certificate (PEM chain, or PKCS#12 ending .p12/.pfx). */
    public static final String TLS_CERT_ENV = "CHUBBY_TLS_CERT";
    /** Environment variable: this client's PEM PKCS#8 private key (unused with PKCS#12). */
    public static final String TLS_KEY_ENV = "CHUBBY_TLS_KEY";
    /** Environment variable: the user name for a password login. */
    public static final String USER_ENV = "CHUBBY_USER";
    /** Environment variable: the password of {@link #USER_ENV}. */
    public static final String PASSWORD_ENV = "CHUBBY_PASSWORD";

    /** Plaintext, anonymous. */
    public static final ClientSecurity NONE = new ClientSecurity(null, true, null, null);

    private final SSLContext tls;
    private final boolean verifyHost;
    private final String user;
    private final char[] password;

    private ClientSecurity(SSLContext tls, boolean verifyHost, String user, char[] password) {
        this.tls = tls;
        this.verifyHost = verifyHost;
        this.user = user;
        this.password = password == null ? null : password.clone();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * An SSLContext from files: {@code ca} (PEM CA certificates; null: the JDK's trust store),
     * {@code cert} (PEM chain or PKCS#12 .p12/.pfx; null: no client certificate), {@code key}
     * (PEM PKCS#8; required with a PEM {@code cert}), {@code password} (of the PKCS#12 file or an
     * encrypted key; may be null).
     *
     * @throws ChubbyException INVALID_ARGUMENT naming the file and what is wrong with it
     */
    public static SSLContext tlsFromFiles(Path ca, Path cert, Path key, char[] password) {
        try {
            return TlsFiles.context(cert, key, ca, password, new TlsFiles.Names("TLS certificate", "TLS key",
                    "TLS CA", "TLS password"));
        } catch (TlsConfigException e) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
    }

    /**
     * The security the environment asks for: TLS when {@value #TLS_CA_ENV} or {@value #TLS_CERT_ENV}
     * is set, a password login when {@value #USER_ENV} is (password from {@value #PASSWORD_ENV}).
     *
     * @throws ChubbyException INVALID_ARGUMENT for unreadable files or a user without a password
     */
    public static ClientSecurity fromEnvironment(Map<String, String> env) {
        Builder b = builder();
        String ca = nonBlank(env.get(TLS_CA_ENV));
        String cert = nonBlank(env.get(TLS_CERT_ENV));
        String key = nonBlank(env.get(TLS_KEY_ENV));
        if (ca != null || cert != null) {
            b.tls(tlsFromFiles(ca == null ? null : Path.of(ca), cert == null ? null : Path.of(cert),
                    key == null ? null : Path.of(key), null));
        }
        String user = nonBlank(env.get(USER_ENV));
        if (user != null) {
            String pw = env.get(PASSWORD_ENV);
            if (pw == null) {
                throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, USER_ENV + " is set but " + PASSWORD_ENV
                        + " is not");
            }
            b.credentials(user, pw.toCharArray());
        }
        return b.build();
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The TLS context; empty for plaintext. */
    public Optional<SSLContext> tls() {
        return Optional.ofNullable(tls);
    }

    /** Whether replica certificates must name the host dialled (default true). */
    public boolean verifyHost() {
        return verifyHost;
    }

    /** The user name of a password login; empty for none. */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** A copy of the password (the caller may clear it); empty array without a login. */
    public char[] password() {
        return password == null ? new char[0] : password.clone();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.tls = tls;
        b.verifyHost = verifyHost;
        b.user = user;
        b.password = password == null ? null : password.clone();
        return b;
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "ClientSecurity[tls=" + (tls != null) + (tls != null && !verifyHost ? " (no host check)" : "")
                + ", user=" + (user == null ? "-" : user) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientSecurity s && s.tls == tls && s.verifyHost == verifyHost
                && java.util.Objects.equals(s.user, user) && Arrays.equals(s.password, password);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(tls, verifyHost, user);
    }

    /** Mutable builder of {@link ClientSecurity}. */
    public static final class Builder {
        private SSLContext tls;
        private boolean verifyHost = true;
        private String user;
        private char[] password;

        private Builder() {
        }

        /** TLS with this context (see {@link #tlsFromFiles}); null for plaintext. */
        public Builder tls(SSLContext context) {
            this.tls = context;
            return this;
        }

        /** TLS from files (see {@link ClientSecurity#tlsFromFiles}). */
        public Builder tlsFiles(Path ca, Path cert, Path key, char[] password) {
            this.tls = tlsFromFiles(ca, cert, key, password);
            return this;
        }

        public Builder verifyHost(boolean verify) {
            this.verifyHost = verify;
            return this;
        }

        /** A password login as {@code user}; the array is copied. Null user: none. */
        public Builder credentials(String user, char[] password) {
            if (user != null && user.isBlank()) {
                throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "the user name is empty");
            }
            this.user = user;
            this.password = user == null || password == null ? null : password.clone();
            return this;
        }

        public ClientSecurity build() {
            return new ClientSecurity(tls, verifyHost, user, password);
        }
    }
}
