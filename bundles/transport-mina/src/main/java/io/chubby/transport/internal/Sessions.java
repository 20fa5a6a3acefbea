package io.chubby.transport.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;

/** Small helpers over MINA sessions shared by both transports. */
final class Sessions {
    private static final AttributeKey CONDEMNED = new AttributeKey(Sessions.class, "condemned");

    private Sessions() {
    }

    /**
     * Closes a connection for bad input and marks it, so that frames already read from the same
     * packet are ignored (a bad handshake followed at once by a good one must not be accepted).
     */
    static void condemn(IoSession session) {
        session.setAttribute(CONDEMNED, Boolean.TRUE);
        session.closeNow();
    }

    /**
     * Like {@link #condemn}, but the connection closes only once what was written to it has been
     * sent (a last answer saying why).
     */
    static void condemnAfterFlush(IoSession session) {
        session.setAttribute(CONDEMNED, Boolean.TRUE);
        session.closeOnFlush();
    }

    /** Whether {@link #condemn} was called: its input is discarded from then on. */
    static boolean condemned(IoSession session) {
        return session.containsAttribute(CONDEMNED);
    }

    /** The remote address as {@code host:port}, or "unknown" once the channel is gone. */
    static String remote(IoSession session) {
        SocketAddress a = session.getRemoteAddress();
        if (a instanceof InetSocketAddress i) {
            return i.getHostString() + ":" + i.getPort();
        }
        return a == null ? "unknown" : a.toString();
    }

    /** Whether the session can still take writes. */
    static boolean open(IoSession session) {
        return session.isConnected() && !session.isClosing();
    }
}
