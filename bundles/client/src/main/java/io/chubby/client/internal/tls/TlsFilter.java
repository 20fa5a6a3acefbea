package io.chubby.client.internal.tls;

import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.AbstractIoSession;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;
import org.apache.mina.filter.ssl.SslEvent;

/**
 * TLS 1.3 as both ends use it, first in the MINA chain: the JDK's {@link SSLEngine} driven by a
 * {@link TlsConnection} per session, whose {@link SealingQueue} replaces the session's write queue
 * and seals application data as the I/O thread sends it, many messages per record when the
 * connection is busy. It replaces MINA 2.2's {@code SslFilter}, which allocated a
 * buffer of two TLS packets (~33 KB) for every message written and ~16 KB for every record read,
 * let at most six records be in flight per connection (the rest waited for the I/O thread to
 * report the earlier ones sent), and could leave application data that came behind the peer's
 * last handshake message undecoded. Small messages are the whole of this protocol's traffic
 * (Paxos messages, KeepAlives, calls), so those costs were most of what TLS cost.
 *
 * <p>The engine is made for the host the caller dialled, stored in {@link #PEER_HOST} before the
 * session opens, else the address as written ({@code getHostString()}, never a reverse lookup). A
 * client side with {@code verifyHost} checks that the server's certificate names that host (HTTPS
 * rules: a SAN IP for an IP address, a SAN DNS name otherwise). Once the handshake is done the
 * handler gets {@link SslEvent#SECURED} (before any application data of the same read) and
 * {@link #tlsSession} answers.
 */
public final class TlsFilter extends IoFilterAdapter {
    /** The host a connector dialled (String), set by its session initializer. */
    public static final AttributeKey PEER_HOST = new AttributeKey(TlsFilter.class, "peerHost");
    /** The {@link SSLSession} of a connection whose handshake is done. */
    static final AttributeKey SECURED_SESSION = new AttributeKey(TlsFilter.class, "session");
    private static final AttributeKey CONNECTION = new AttributeKey(TlsFilter.class, "connection");

    private final SSLContext context;
    private final boolean verifyHost;
    private final boolean needClientAuth;
    private final boolean wantClientAuth;

    private TlsFilter(SSLContext context, boolean verifyHost, boolean need, boolean want) {
        this.context = context;
        this.verifyHost = verifyHost;
        this.needClientAuth = need;
        this.wantClientAuth = want && !need;
    }

    /** The connecting side: checks the server's certificate against the host dialled when {@code verifyHost}. */
    public static TlsFilter client(SSLContext context, boolean verifyHost) {
        return new TlsFilter(context, verifyHost, false, false);
    }

    /**
     * The accepting side. {@code need}: a client without a certificate (or with one that does not
     * chain to the CA) fails the handshake; {@code want}: a certificate is asked for but optional
     * (one that is sent must still chain to the CA).
     */
    public static TlsFilter server(SSLContext context, boolean need, boolean want) {
        return new TlsFilter(context, false, need, want);
    }

    @Override
    public void sessionCreated(NextFilter next, IoSession session) throws Exception {
        InetSocketAddress remote = session.getRemoteAddress() instanceof InetSocketAddress a ? a : null;
        TlsConnection tls = new TlsConnection(createEngine(session, remote), session);
        session.setAttribute(CONNECTION, tls);
        if (!(session instanceof AbstractIoSession s)) {
            throw new IllegalStateException("TLS needs a MINA session with a replaceable write queue, not "
                    + session.getClass().getName());
        }
        s.setWriteRequestQueue(new SealingQueue(tls));
        next.sessionCreated(session);
    }

    @Override
    public void sessionOpened(NextFilter next, IoSession session) throws Exception {
        connection(session).start(next);
        next.sessionOpened(session);
    }

    @Override
    public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
        TlsConnection.Opened opened = connection(session).receive(next, (IoBuffer) message);
        if (opened.secured()) {
            next.event(session, SslEvent.SECURED);
        }
        if (opened.plaintext() != null) {
            next.messageReceived(session, opened.plaintext());
        }
    }

    @Override
    public void filterWrite(NextFilter next, IoSession session, WriteRequest request) throws Exception {
        if (request instanceof TlsConnection.RecordWrite) {
            next.filterWrite(session, request);
            return;
        }
        if (!(request.getMessage() instanceof IoBuffer b)) {
            throw new IllegalArgumentException("TLS seals buffers only, not " + request.getMessage().getClass());
        }
        if (!b.hasRemaining()) {
            next.filterWrite(session, request); // an empty buffer only carries a messageSent: nothing to seal
            return;
        }
        connection(session).write(next, request);
    }

    @Override
    public void messageSent(NextFilter next, IoSession session, WriteRequest request) throws Exception {
        if (request instanceof SealedBatch batch) {
            for (WriteRequest w : batch.writes()) {
                next.messageSent(session, w);
            }
        } else if (!(request instanceof TlsConnection.RecordWrite)) {
            next.messageSent(session, request);
        }
    }

    @Override
    public void sessionClosed(NextFilter next, IoSession session) throws Exception {
        session.removeAttribute(SECURED_SESSION);
        session.removeAttribute(CONNECTION);
        next.sessionClosed(session);
    }

    private static TlsConnection connection(IoSession session) {
        TlsConnection c = (TlsConnection) session.getAttribute(CONNECTION);
        if (c == null) {
            throw new IllegalStateException("no TLS state on session " + session.getId() + " (closed)");
        }
        return c;
    }

    private SSLEngine createEngine(IoSession session, InetSocketAddress addr) {
        Object dialled = session.getAttribute(PEER_HOST);
        String host = dialled instanceof String s ? s : addr == null ? null : addr.getHostString();
        SSLEngine engine = host == null ? context.createSSLEngine()
                : context.createSSLEngine(host, addr == null ? -1 : addr.getPort());
        engine.setUseClientMode(!session.isServer());
        engine.setEnabledProtocols(new String[] {"TLSv1.3"});
        if (session.isServer()) {
            if (needClientAuth) {
                engine.setNeedClientAuth(true);
            } else if (wantClientAuth) {
                engine.setWantClientAuth(true);
            }
        } else if (verifyHost) {
            SSLParameters p = engine.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(p);
        }
        return engine;
    }

    /** The TLS session of a connection once its handshake is done; null without TLS (or before). */
    public static SSLSession tlsSession(IoSession session) {
        Object s = session.getAttribute(SECURED_SESSION);
        return s instanceof SSLSession t ? t : null;
    }

    /**
     * Whether {@code cause} (or one of its causes) is a TLS failure: a refused handshake, a
     * plaintext peer, a certificate that does not chain to the CA, an expired one.
     */
    public static SSLException tlsFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException e) {
                return e;
            }
        }
        return null;
    }

    /** A TLS failure in one line: the JDK's message with its cause's (which says which check failed). */
    public static String describe(SSLException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null && !m.contains(root.getMessage())) {
            m = m + " (" + root.getMessage() + ")";
        }
        return m.replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }
}
