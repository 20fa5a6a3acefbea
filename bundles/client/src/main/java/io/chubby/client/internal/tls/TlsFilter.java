package io.chubby.client.internal.tls;

import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterChain;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.ssl.SslFilter;

/**
 * MINA's {@link SslFilter} as both ends use it: TLS 1.3 only, first in the chain. MINA 2.2 makes
 * the engine from {@code getHostName()} of the remote address (a reverse DNS lookup, and then a
 * name the certificate does not carry); this filter uses the host the caller dialled, which it
 * stores in {@link #PEER_HOST} before the session opens, else the address as written
 * ({@code getHostString()}). A client side with {@code verifyHost} checks that the server's
 * certificate names that host (HTTPS rules: a SAN IP for an IP address, a SAN DNS name otherwise).
 */
public final class TlsFilter extends SslFilter {
    /** The host a connector dialled (String), set by its session initializer. */
    public static final AttributeKey PEER_HOST = new AttributeKey(TlsFilter.class, "peerHost");

    private final boolean verifyHost;

    private TlsFilter(SSLContext context, boolean verifyHost) {
        super(context);
        this.verifyHost = verifyHost;
        setEnabledProtocols("TLSv1.3");
        setUseNonBlockingPipeline(true);
    }

    /** The connecting side: checks the server's certificate against the host dialled when {@code verifyHost}. */
    public static TlsFilter client(SSLContext context, boolean verifyHost) {
        return new TlsFilter(context, verifyHost);
    }

    /**
     * The accepting side. {@code need}: a client without a certificate (or with one that does not
     * chain to the CA) fails the handshake; {@code want}: a certificate is asked for but optional
     * (one that is sent must still chain to the CA).
     */
    public static TlsFilter server(SSLContext context, boolean need, boolean want) {
        TlsFilter f = new TlsFilter(context, false);
        f.setNeedClientAuth(need);
        f.setWantClientAuth(want && !need);
        return f;
    }

    @Override
    protected SSLEngine createEngine(IoSession session, InetSocketAddress addr) {
        Object dialled = session.getAttribute(PEER_HOST);
        String host = dialled instanceof String s ? s : addr == null ? null : addr.getHostString();
        SSLEngine engine = host == null ? sslContext.createSSLEngine()
                : sslContext.createSSLEngine(host, addr == null ? -1 : addr.getPort());
        engine.setUseClientMode(!session.isServer());
        engine.setEnabledProtocols(getEnabledProtocols());
        if (session.isServer()) {
            if (isNeedClientAuth()) {
                engine.setNeedClientAuth(true);
            } else if (isWantClientAuth()) {
                engine.setWantClientAuth(true);
            }
        } else if (verifyHost) {
            SSLParameters p = engine.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(p);
        }
        return engine;
    }

    /**
     * Runs the TLS decoder once more over what it holds. MINA 2.2's SSL handlers can leave
     * application data that arrived together with the peer's last handshake message (a client's
     * Hello right behind its Finished, TLS 1.3) undecoded until more bytes arrive, which for a
     * client waiting for its HelloReply is never. Both sides call this when the session is
     * secured ({@code SslEvent.SECURED} at their handler); with nothing held it does nothing.
     */
    public static void drain(IoSession session) {
        for (IoFilterChain.Entry e : session.getFilterChain().getAll()) {
            if (e.getFilter() instanceof TlsFilter f) {
                try {
                    f.messageReceived(e.getNextFilter(), session, IoBuffer.allocate(0));
                } catch (Exception ex) {
                    session.closeNow();
                }
            }
        }
    }

    /** The TLS session of a connection once its handshake is done; null without TLS (or before). */
    public static SSLSession tlsSession(IoSession session) {
        Object s = session.getAttribute(SSL_SECURED);
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
