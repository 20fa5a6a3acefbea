package io.chubby.cell.internal.calls;

import io.chubby.spi.ClientConnection;
import io.chubby.spi.Principal;

/**
 * A trusted proxy's connection acting for one of its clients ({@link Delegation}): everything is
 * the proxy's connection (id, address, where answers go) except {@link #principal()}, which is the
 * client's, so session ownership, handle and sequencer checks and ACL decisions see the client.
 * Made per request; {@link #unwrap} gives the connection itself to whoever keys state by it (held
 * KeepAlives remember the connection their last answer went out on).
 */
final class ActingConnection implements ClientConnection {
    private final ClientConnection proxy;
    private final Principal principal;

    ActingConnection(ClientConnection proxy, Principal principal) {
        this.proxy = proxy;
        this.principal = principal;
    }

    /** The transport's connection under {@code conn} ({@code conn} itself when it acts for nobody). */
    static ClientConnection unwrap(ClientConnection conn) {
        return conn instanceof ActingConnection a ? a.proxy : conn;
    }

    @Override
    public long id() {
        return proxy.id();
    }

    @Override
    public String remoteAddress() {
        return proxy.remoteAddress();
    }

    @Override
    public void send(byte[] message) {
        proxy.send(message);
    }

    @Override
    public void close(String reason) {
        proxy.close(reason);
    }

    @Override
    public boolean isOpen() {
        return proxy.isOpen();
    }

    @Override
    public Principal principal() {
        return principal;
    }

    @Override
    public String clientName() {
        return proxy.clientName();
    }

    @Override
    public String toString() {
        return principal.name() + " via " + proxy.principal().name() + " conn " + proxy.id();
    }
}
