package io.chubby.client.internal.tls;

/** Bad TLS configuration: the message names the setting (key or option) and what is wrong. */
public final class TlsConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public TlsConfigException(String message) {
        super(message);
    }

    public TlsConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
