package io.chubby.transport.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.api.ErrorCode;
import io.chubby.protocol.Error;
import io.chubby.protocol.Frames;
import io.chubby.protocol.Hello;
import io.chubby.protocol.HelloReply;
import io.chubby.protocol.Response;
import io.chubby.spi.RequestHandler;
import java.io.IOException;
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
    private final AtomicLong ids = new AtomicLong();

    ClientProtocolHandler(ClientSettings settings, RequestHandler handler) {
        this.settings = settings;
        this.handler = handler;
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
        c.helloDone(hello.getClientName());
        c.session().getConfig().setIdleTime(IdleStatus.READER_IDLE, 0);
        RequestHandler.Greeting greeting = handler.greeting();
        c.session().write(HelloReply.newBuilder().setProtocolVersion(Frames.VERSION)
                .setReplicaId(greeting.replicaId()).setCell(greeting.cell()).build().toByteArray());
        log.debug("client hello id={} remote={} client=\"{}\"", c.id(), c.remoteAddress(), hello.getClientName());
        handler.connected(c);
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
