package io.chubby.spi;

import org.osgi.annotation.versioning.ProviderType;

/** One client connection as the request handler sees it; may carry many sessions. */
@ProviderType
public interface ClientConnection {
    /** Unique per transport while the replica runs. */
    long id();

    String remoteAddress();

    /** Queues one encoded response or push message; never blocks. */
    void send(byte[] message);

    /** Closes the connection, logging the reason. */
    void close(String reason);

    boolean isOpen();

    /**
     * Who the transport authenticated on this connection; {@link Principal#ANONYMOUS} when it
     * proved nothing (always, until access control is configured).
     *
     * @since 1.2
     */
    default Principal principal() {
        return Principal.ANONYMOUS;
    }

    /**
     * The name the client gave in its Hello (free text, not authenticated: for logs and lock
     * listings, never for access decisions); empty when it gave none.
     *
     * @since 1.2
     */
    default String clientName() {
        return "";
    }
}
