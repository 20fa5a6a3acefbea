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
}
