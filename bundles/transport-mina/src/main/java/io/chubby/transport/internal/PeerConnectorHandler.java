package io.chubby.transport.internal;

import java.io.IOException;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events of outbound peer connections, routed to the {@link PeerLink} stored on the session when
 * it was created. Outbound links are write-only: a peer writing back breaks the protocol.
 */
final class PeerConnectorHandler extends IoHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(PeerConnectorHandler.class);
    private final TlsRefusals tlsRefusals = new TlsRefusals("peer-link", log);

    @Override
    public void sessionOpened(IoSession session) {
        PeerLink link = (PeerLink) session.getAttribute(PeerLink.LINK);
        if (link == null) {
            Sessions.condemn(session);
            return;
        }
        link.opened(session);
    }

    @Override
    public void sessionClosed(IoSession session) {
        PeerLink link = (PeerLink) session.getAttribute(PeerLink.LINK);
        if (link != null) {
            link.closed(session);
        }
    }

    @Override
    public void messageReceived(IoSession session, Object message) {
        if (Sessions.condemned(session)) {
            return;
        }
        log.warn("bad peer input, closing connection remote={} reason=\"peer wrote on our outbound link\"",
                Sessions.remote(session));
        Sessions.condemn(session);
    }


    @Override
    public void exceptionCaught(IoSession session, Throwable cause) {
        if (tlsRefusals.refused(session, cause)) {
            return; // the peer's certificate does not chain to our CA or name its host (or it refused ours)
        }
        if (cause instanceof IOException) {
            log.debug("peer link error remote={} cause=\"{}\"", Sessions.remote(session), cause.toString());
        } else {
            log.warn("peer link failed, closing remote={}", Sessions.remote(session), cause);
        }
        Sessions.condemn(session);
    }
}
