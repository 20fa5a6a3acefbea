package io.chubby.transport.internal;

import io.chubby.client.internal.tls.CertificateNames;
import io.chubby.client.internal.tls.TlsFilter;
import io.chubby.spi.Member;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inbound peer connections: the first frame must be a {@link PeerHandshake} from a member of this
 * cell (not this replica) addressed to this replica; every later frame is a message from that
 * member, passed to {@code deliver} on the session's I/O thread. Anything else closes the
 * connection with a WARN. Per-session state is a session attribute owned by the I/O thread.
 *
 * <p>Each peer keeps exactly one link to us, so a new handshake from a member means its previous
 * connection is dead (the peer restarted, or a half-open socket after a partition): that one is
 * closed rather than left to linger until TCP notices.
 */
final class PeerAcceptorHandler extends IoHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(PeerAcceptorHandler.class);
    private static final AttributeKey FROM = new AttributeKey(PeerAcceptorHandler.class, "from");

    private final PeerIdentity identity;
    /** The replicas that may connect now, by id (null: not one), as the transport's links follow the members. */
    private final IntFunction<Member> members;
    private final int handshakeTimeoutSeconds;
    private final BiConsumer<Integer, byte[]> deliver;
    private final Map<Integer, IoSession> current = new ConcurrentHashMap<>();
    private final boolean tls;
    private final TlsRefusals tlsRefusals = new TlsRefusals("peer", log);

    PeerAcceptorHandler(PeerIdentity identity, IntFunction<Member> members, int handshakeTimeoutSeconds,
                        BiConsumer<Integer, byte[]> deliver, boolean tls) {
        this.identity = identity;
        this.members = members;
        this.handshakeTimeoutSeconds = handshakeTimeoutSeconds;
        this.deliver = deliver;
        this.tls = tls;
    }

    @Override
    public void sessionOpened(IoSession session) {
        session.getConfig().setIdleTime(IdleStatus.READER_IDLE, handshakeTimeoutSeconds);
        log.debug("peer connection opened remote={}", Sessions.remote(session));
    }

    @Override
    public void messageReceived(IoSession session, Object message) {
        if (Sessions.condemned(session)) {
            return;
        }
        Integer from = (Integer) session.getAttribute(FROM);
        if (from != null) {
            deliver.accept(from, (byte[]) message);
            return;
        }
        PeerHandshake h;
        try {
            h = PeerHandshake.decode((byte[]) message);
        } catch (IllegalArgumentException e) {
            reject(session, e.getMessage());
            return;
        }
        String problem = check(h);
        if (problem == null && tls) {
            problem = checkCertificate(session, h.from());
        }
        if (problem != null) {
            reject(session, problem);
            return;
        }
        session.setAttribute(FROM, h.from());
        session.getConfig().setIdleTime(IdleStatus.READER_IDLE, 0);
        log.info("peer connection accepted from={} to={} remote={}", h.from(), identity.selfId(),
                Sessions.remote(session));
        IoSession previous = current.put(h.from(), session);
        if (previous != null && previous != session) {
            log.info("closing superseded peer connection from={} remote={}", h.from(), Sessions.remote(previous));
            Sessions.condemn(previous);
        }
    }

    /** Closes the inbound connections of replicas that may no longer connect (the members changed). */
    void closeUnknown() {
        current.forEach((from, session) -> {
            if (members.apply(from) == null && current.remove(from, session)) {
                log.info("closing peer connection of a former member from={} remote={}", from, Sessions.remote(session));
                Sessions.condemn(session);
            }
        });
    }

    private String check(PeerHandshake h) {
        if (!identity.cell().equals(h.cell())) {
            return "handshake from cell \"" + h.cell() + "\", this is cell \"" + identity.cell() + "\"";
        }
        if (h.from() == identity.selfId() || members.apply(h.from()) == null) {
            return "handshake from unknown replica id " + h.from();
        }
        if (h.to() != identity.selfId()) {
            return "handshake addressed to replica " + h.to() + ", this is replica " + identity.selfId();
        }
        return null;
    }

    /**
     * With mutual TLS the handshake proved a certificate of the cell's CA; a member must also
     * present one that names its own host (as its outbound side checks ours), so a client
     * certificate of the same CA (say, the admin's) cannot pose as a replica.
     */
    private String checkCertificate(IoSession session, int from) {
        javax.net.ssl.SSLSession s = TlsFilter.tlsSession(session);
        Member m = members.apply(from);
        if (m == null) {
            return "replica " + from + " is no longer a member";
        }
        String host = m.host();
        try {
            java.security.cert.Certificate[] chain = s == null ? null : s.getPeerCertificates();
            if (chain != null && chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate x
                    && CertificateNames.covers(x, host)) {
                return null;
            }
            String subject = chain != null && chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate x
                    ? x.getSubjectX500Principal().getName() : "none";
            return "replica " + from + "'s certificate (" + subject + ") does not name its host " + host;
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return "replica " + from + " presented no certificate";
        }
    }

    private static void reject(IoSession session, String reason) {
        log.warn("bad peer input, closing connection remote={} reason=\"{}\"", Sessions.remote(session), reason);
        Sessions.condemn(session);
    }

    @Override
    public void sessionIdle(IoSession session, IdleStatus status) {
        if (!session.containsAttribute(FROM)) {
            reject(session, "no handshake within " + handshakeTimeoutSeconds + " s");
        }
    }

    @Override
    public void sessionClosed(IoSession session) {
        Object from = session.getAttribute(FROM);
        if (from != null) {
            current.remove(from, session);
            log.info("peer connection closed from={} remote={}", from, Sessions.remote(session));
        } else {
            log.debug("peer connection closed before handshake remote={}", Sessions.remote(session));
        }
    }


    @Override
    public void exceptionCaught(IoSession session, Throwable cause) {
        if (tlsRefusals.refused(session, cause)) {
            return;
        }
        if (cause instanceof IOException) {
            log.debug("peer connection error remote={} cause=\"{}\"", Sessions.remote(session), cause.toString());
        } else {
            log.warn("peer connection failed, closing remote={}", Sessions.remote(session), cause);
        }
        Sessions.condemn(session);
    }
}
