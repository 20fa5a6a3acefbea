package io.chubby.transport.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.internal.tls.CertificateNames;
import io.chubby.client.internal.tls.TlsFilter;
import io.chubby.protocol.Error;
import io.chubby.protocol.Frames;
import io.chubby.protocol.Hello;
import io.chubby.protocol.HelloReply;
import io.chubby.protocol.Response;
import io.chubby.spi.Authenticator;
import io.chubby.spi.Principal;
import io.chubby.spi.RequestHandler;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client protocol on one acceptor: the first frame must be a {@link Hello} of this protocol
 * version, answered by a {@link HelloReply}; every later frame goes to the {@link RequestHandler}.
 * Another protocol version (in the frame header or the Hello) is answered with a typed
 * PROTOCOL_ERROR in a version-1 frame before the connection closes: a {@code HelloReply} with
 * {@code error} for the first frame, a {@code Response} with call id 0 for a later one.
 * Events of one session arrive on one I/O processor thread in order, so the handler sees
 * {@code connected}, then requests, then {@code disconnected}; the handler must not block.
 */
final class ClientProtocolHandler extends IoHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientProtocolHandler.class);
    private static final AttributeKey CONNECTION = new AttributeKey(ClientProtocolHandler.class, "connection");

    private final ClientSettings settings;
    private final RequestHandler handler;
    private final Supplier<Authenticator> authenticator;
    private final AtomicLong ids = new AtomicLong();
    private final TlsRefusals tlsRefusals = new TlsRefusals("client", log);
    /** The handler's leaving notice once the acceptor stops ({@link #leave}); null before. */
    private volatile byte[] leaving;

    ClientProtocolHandler(ClientSettings settings, RequestHandler handler, Supplier<Authenticator> authenticator) {
        this.settings = settings;
        this.handler = handler;
        this.authenticator = authenticator;
    }

    @Override
    public void sessionOpened(IoSession session) {
        MinaClientConnection c = new MinaClientConnection(ids.incrementAndGet(), session, settings.maxFrameBytes(),
                settings.maxQueuedBytes());
        session.setAttribute(CONNECTION, c);
        session.getConfig().setIdleTime(IdleStatus.READER_IDLE, settings.handshakeTimeoutSeconds());
        log.debug("client connection opened id={} remote={}", c.id(), c.remoteAddress());
    }

    @Override
    public void messageReceived(IoSession session, Object message) {
        MinaClientConnection c = (MinaClientConnection) session.getAttribute(CONNECTION);
        if (c == null || Sessions.condemned(session)) {
            return;
        }
        if (message instanceof FrameVersionRefused v) {
            refuseVersion(c, v.reason());
            return;
        }
        byte[] bytes = (byte[]) message;
        if (!c.helloDone()) {
            hello(c, bytes);
            return;
        }
        try {
            handler.request(c, bytes);
        } catch (RuntimeException e) {
            // A handler bug must not take the I/O thread down; the client will retry elsewhere.
            log.warn("request handler failed, closing connection id={} remote={}", c.id(), c.remoteAddress(), e);
            Sessions.condemn(session);
        }
    }

    private void hello(MinaClientConnection c, byte[] bytes) {
        Hello hello;
        try {
            hello = Hello.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            reject(c, "first frame is not a Hello: " + e.getMessage());
            return;
        }
        // Protobuf parses almost anything (a Request with call_id=1 reads as protocol_version=1);
        // fields a Hello does not have mean the client sent some other message first.
        if (hello.getUnknownFields().getSerializedSize() != 0) {
            reject(c, "first frame is not a Hello (it has fields a Hello does not have)");
            return;
        }
        if (hello.getProtocolVersion() != Frames.VERSION) {
            refuseVersion(c, "Hello protocol_version " + hello.getProtocolVersion()
                    + " is not supported: this replica speaks version " + Frames.VERSION);
            return;
        }
        Principal principal;
        try {
            principal = principal(c, hello);
        } catch (ChubbyException e) {
            refuseLogin(c, hello.getUser(), e);
            return;
        }
        c.helloDone(hello.getClientName(), principal);
        c.session().getConfig().setIdleTime(IdleStatus.READER_IDLE, 0);
        RequestHandler.Greeting greeting = handler.greeting();
        c.session().write(HelloReply.newBuilder().setProtocolVersion(Frames.VERSION)
                .setReplicaId(greeting.replicaId()).setCell(greeting.cell()).setPrincipal(principal.name()).build()
                .toByteArray());
        log.debug("client hello id={} remote={} client=\"{}\" principal={}", c.id(), c.remoteAddress(),
                hello.getClientName(), principal);
        handler.connected(c);
        byte[] notice = leaving;
        if (notice != null) {
            c.send(notice); // its Hello raced with the stop: it hears the notice after the HelloReply
        }
    }

    /**
     * The acceptor stops: sends {@code notice} on every connection of {@code sessions} past its
     * Hello, and on each that finishes its Hello from now on (a connection still in its Hello hears
     * it then). Returns how many it told now.
     */
    int leave(byte[] notice, Collection<IoSession> sessions) {
        leaving = notice;
        int told = 0;
        for (IoSession s : sessions) {
            MinaClientConnection c = (MinaClientConnection) s.getAttribute(CONNECTION);
            if (c != null && c.helloDone() && c.isOpen()) {
                c.send(notice);
                told++;
            }
        }
        return told;
    }

    /**
     * Who the connection is, decided once, at its Hello: the subject CN of the TLS client
     * certificate the handshake verified; else the Hello's user, if the bound authenticator
     * accepts the password; else anonymous. Refused (PERMISSION_DENIED): a certificate whose CN is
     * {@code anonymous}; a user other than the certificate's CN; a password without TLS (unless
     * transport.client.password.plaintext); a user while no authenticator is bound (never anonymous
     * instead); wrong credentials.
     */
    private Principal principal(MinaClientConnection c, Hello hello) {
        SSLSession tls = TlsFilter.tlsSession(c.session());
        String cn = tls == null ? null : certificateName(tls);
        String user = hello.getUser();
        if (cn != null) {
            if (cn.equals(Principal.ANONYMOUS.name())) {
                // ACL files and session ownership go by name: this name stands for "proved nothing".
                throw new ChubbyException(ErrorCode.PERMISSION_DENIED, "a TLS client certificate may not name the "
                        + "principal \"anonymous\" (it stands for connections that proved nothing)");
            }
            if (!user.isEmpty() && !user.equals(cn)) {
                throw new ChubbyException(ErrorCode.PERMISSION_DENIED, "user \"" + user
                        + "\" does not match the TLS client certificate, whose subject is \"" + cn + "\"");
            }
            return new Principal(cn, Principal.Mechanism.TLS_CERTIFICATE);
        }
        if (user.isEmpty()) {
            return Principal.ANONYMOUS;
        }
        if (tls == null && !settings.passwordPlaintext()) {
            throw new ChubbyException(ErrorCode.PERMISSION_DENIED, "a password login needs TLS: this connection is "
                    + "plaintext and the replica refuses passwords without it (transport.client.password.plaintext)");
        }
        Authenticator a = authenticator.get();
        if (a == null) {
            throw new ChubbyException(ErrorCode.PERMISSION_DENIED, "cannot log in \"" + user + "\": no authenticator "
                    + "is running on this replica (the acl bundle with acl.passwords.file)");
        }
        char[] password = hello.getPassword().toCharArray();
        try {
            Principal p = a.authenticate(user, password, c.remoteAddress());
            if (p == null) {
                throw new ChubbyException(ErrorCode.PERMISSION_DENIED, "login refused for \"" + user + "\"");
            }
            return p;
        } catch (ChubbyException e) {
            throw e.code() == ErrorCode.PERMISSION_DENIED ? e
                    : new ChubbyException(ErrorCode.PERMISSION_DENIED, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("authenticator failed id={} remote={} user=\"{}\"", c.id(), c.remoteAddress(), user, e);
            throw new ChubbyException(ErrorCode.PERMISSION_DENIED, "login refused for \"" + user
                    + "\": the authenticator failed");
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** The subject CN of the verified client certificate; null when the client sent none. */
    private static String certificateName(SSLSession tls) {
        try {
            Certificate[] chain = tls.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? CertificateNames.commonName(x) : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** A refused login: HelloReply with PERMISSION_DENIED, one WARN line, then the connection closes. */
    private static void refuseLogin(MinaClientConnection c, String user, ChubbyException e) {
        log.warn("login refused, closing connection id={} remote={} user=\"{}\" reason=\"{}\"", c.id(),
                c.remoteAddress(), user, e.detail());
        Error error = Error.newBuilder().setCode(e.code().wire()).setMessage(e.detail()).build();
        c.session().write(HelloReply.newBuilder().setProtocolVersion(Frames.VERSION).setError(error).build()
                .toByteArray());
        Sessions.condemnAfterFlush(c.session());
    }

    /**
     * A client of another protocol version: tell it so in the one frame version every client can
     * read (a HelloReply while the Hello is due, else a Response with call id 0), then close.
     */
    private static void refuseVersion(MinaClientConnection c, String reason) {
        log.warn("bad client input, answering PROTOCOL_ERROR and closing id={} remote={} reason=\"{}\"", c.id(),
                c.remoteAddress(), reason);
        Error error = Error.newBuilder().setCode(ErrorCode.PROTOCOL_ERROR.wire()).setMessage(reason).build();
        byte[] answer = c.helloDone()
                ? Response.newBuilder().setCallId(0).setError(error).build().toByteArray()
                : HelloReply.newBuilder().setProtocolVersion(Frames.VERSION).setError(error).build().toByteArray();
        c.session().write(answer);
        Sessions.condemnAfterFlush(c.session());
    }

    private static void reject(MinaClientConnection c, String reason) {
        log.warn("bad client input, closing connection id={} remote={} reason=\"{}\"", c.id(), c.remoteAddress(),
                reason);
        Sessions.condemn(c.session());
    }


    @Override
    public void sessionIdle(IoSession session, IdleStatus status) {
        MinaClientConnection c = (MinaClientConnection) session.getAttribute(CONNECTION);
        if (c != null && !c.helloDone()) {
            reject(c, "no Hello within " + settings.handshakeTimeoutSeconds() + " s");
        }
    }

    @Override
    public void sessionClosed(IoSession session) {
        MinaClientConnection c = (MinaClientConnection) session.getAttribute(CONNECTION);
        if (c == null) {
            return;
        }
        log.debug("client connection closed id={} remote={}", c.id(), c.remoteAddress());
        if (c.helloDone()) {
            try {
                handler.disconnected(c);
            } catch (RuntimeException e) {
                log.warn("request handler failed on disconnect id={}", c.id(), e);
            }
        }
    }

    /**
     * An I/O error (a reset: the client process died or was killed without closing) is routine:
     * one INFO line, no stack trace. Anything else is a fault of ours: WARN with the trace.
     */
    @Override
    public void exceptionCaught(IoSession session, Throwable cause) {
        if (tlsRefusals.refused(session, cause)) {
            return; // a plaintext client, a certificate of another CA, an expired one: one WARN line
        }
        if (Sessions.condemned(session)) {
            // already being closed for a reason logged once (e.g. a refused login's TLS close_notify)
            log.debug("client connection error after close remote={} cause=\"{}\"", Sessions.remote(session), cause);
            return;
        }
        if (cause instanceof IOException) {
            MinaClientConnection c = (MinaClientConnection) session.getAttribute(CONNECTION);
            log.info("client connection lost id={} remote={} cause=\"{}\"", c == null ? "-" : Long.toString(c.id()),
                    Sessions.remote(session), cause.getMessage() == null ? cause.getClass().getSimpleName()
                            : cause.getMessage());
        } else {
            log.warn("client connection failed, closing remote={}", Sessions.remote(session), cause);
        }
        Sessions.condemn(session);
    }
}
