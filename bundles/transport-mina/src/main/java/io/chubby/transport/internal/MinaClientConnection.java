package io.chubby.transport.internal;

import io.chubby.spi.ClientConnection;
import io.chubby.spi.Principal;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection as the {@link io.chubby.spi.RequestHandler} sees it: a thin wrapper around
 * one MINA session. Thread-safe: MINA sessions accept writes and closes from any thread; the
 * {@code helloDone} flag and client name are written once, by the session's I/O processor thread,
 * before the handler sees the connection.
 */
final class MinaClientConnection implements ClientConnection {
    private static final Logger log = LoggerFactory.getLogger(MinaClientConnection.class);

    private final long id;
    private final IoSession session;
    private final String remote;
    private final int maxMessage;
    private final long maxQueuedBytes;
    private volatile boolean helloDone;
    private volatile String clientName = "";
    private volatile Principal principal = Principal.ANONYMOUS;

    MinaClientConnection(long id, IoSession session, int maxMessage, long maxQueuedBytes) {
        this.id = id;
        this.session = session;
        this.remote = Sessions.remote(session);
        this.maxMessage = maxMessage;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String remoteAddress() {
        return remote;
    }

    @Override
    public void send(byte[] message) {
        if (!isOpen()) {
            return;
        }
        if (message.length > maxMessage) {
            // The client would close on a frame over its limit anyway; fail loudly here instead.
            log.warn("response too large, closing connection id={} remote={} bytes={} limit={}", id, remote,
                    message.length, maxMessage);
            Sessions.condemn(session);
            return;
        }
        if (session.getScheduledWriteBytes() > maxQueuedBytes) {
            // A client that stops reading must not make the replica buffer without bound.
            log.warn("client not reading, closing connection id={} remote={} queuedBytes={}", id, remote,
                    session.getScheduledWriteBytes());
            Sessions.condemn(session);
            return;
        }
        session.write(message);
    }

    @Override
    public void close(String reason) {
        if (session.isClosing()) {
            return;
        }
        log.info("closing client connection id={} remote={} reason=\"{}\"", id, remote, reason);
        // Flush first so that a final error response still reaches the client.
        session.closeOnFlush();
    }

    @Override
    public boolean isOpen() {
        return Sessions.open(session);
    }

    boolean helloDone() {
        return helloDone;
    }

    /** The Hello was accepted; {@code name} is the client name it gave, {@code who} its principal. */
    void helloDone(String name, Principal who) {
        this.clientName = name == null ? "" : name;
        this.principal = who;
        this.helloDone = true;
    }

    /** Decided once, at the Hello (before the handler sees the connection), never per request. */
    @Override
    public Principal principal() {
        return principal;
    }

    @Override
    public String clientName() {
        return clientName;
    }

    IoSession session() {
        return session;
    }

    @Override
    public String toString() {
        return "client connection " + id + " from " + remote;
    }
}
