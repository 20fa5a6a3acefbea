package io.chubby.spi;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Serves client requests arriving on a transport. The transport has already checked framing,
 * size and protocol version; {@code request} is one encoded request message of the client protocol
 * (see the protocol bundle), and answers go back through {@link ClientConnection#send}.
 */
@ProviderType
public interface RequestHandler {
    void connected(ClientConnection connection);

    void request(ClientConnection connection, byte[] request);

    void disconnected(ClientConnection connection);
}
