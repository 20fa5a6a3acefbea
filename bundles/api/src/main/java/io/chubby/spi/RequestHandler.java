package io.chubby.spi;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Serves client requests arriving on a transport. The transport has already checked framing,
 * size and protocol version; {@code request} is one encoded request message of the client protocol
 * (see the protocol bundle), and answers go back through {@link ClientConnection#send}.
 * A cell replica provides one (session-mgr); a proxy provides another. A client acceptor serves
 * whichever handler its configuration targets.
 */
@ProviderType
public interface RequestHandler {
    /**
     * What the acceptor tells a client in its HelloReply.
     *
     * @param cell      the cell this handler serves
     * @param replicaId this replica's id, or 0 for a process that is not a replica (a proxy)
     * @since 1.2
     */
    record Greeting(String cell, int replicaId) {
    }

    /** @since 1.2 */
    Greeting greeting();

    void connected(ClientConnection connection);

    void request(ClientConnection connection, byte[] request);

    void disconnected(ClientConnection connection);
}
