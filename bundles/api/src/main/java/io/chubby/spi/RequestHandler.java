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

    /**
     * What the client acceptor sends, unasked, on every open connection when it stops (this
     * process is leaving: a planned stop, a transport update): one encoded client-protocol
     * {@code Response} with call id 0 that tells the client to take its calls elsewhere. The
     * acceptor stops accepting first, sends the notice, and then waits (at most its drain period)
     * for the clients to close their connections, passing their requests to this handler
     * meanwhile, so that no call it has read is cut off unanswered. Null (the default): no notice,
     * the connections close at once.
     *
     * @since 1.12
     */
    default byte[] leavingNotice() {
        return null;
    }
}
