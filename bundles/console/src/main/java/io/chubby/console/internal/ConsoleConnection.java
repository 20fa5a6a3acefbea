package io.chubby.console.internal;

import io.chubby.spi.ClientConnection;
import io.chubby.spi.Principal;

/**
 * The connection a console request stands for when the {@code Authorizer} is asked whether its
 * principal holds the admin permission: it carries the principal and the browser's address and
 * can send nothing.
 */
record ConsoleConnection(Principal principal, String remoteAddress) implements ClientConnection {
    @Override
    public long id() {
        return 0;
    }

    @Override
    public void send(byte[] message) {
        throw new UnsupportedOperationException("a console request is not a client connection");
    }

    @Override
    public void close(String reason) {
        // nothing to close
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public String clientName() {
        return "console";
    }
}
