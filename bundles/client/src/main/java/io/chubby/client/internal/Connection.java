package io.chubby.client.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.ClientSecurity;
import io.chubby.client.Identity;
import io.chubby.client.internal.tls.TlsFilter;
import io.chubby.protocol.Frames;
import io.chubby.protocol.Hello;
import io.chubby.protocol.HelloReply;
import io.chubby.protocol.LeavingNotice;
import io.chubby.protocol.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.apache.mina.core.future.ConnectFuture;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolCodecFilter;
import org.apache.mina.transport.socket.nio.NioSocketConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection to one replica: Hello handshake, then Requests matched to Responses by call
 * id. Requests go out as the caller's encoded bytes with the call id and epoch appended
 * ({@link FrameCodec#requestFrame}); each Response is parsed once, on the I/O thread, and handed
 * back together with its bytes. Thread-safe: pending calls live in a concurrent map; MINA's I/O
 * thread completes them. Every failure below the protocol surfaces as a {@link TransportFailure}.
 */
final class Connection {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    private static final String ATTR = Connection.class.getName();

    private final String address;
    private final ScheduledExecutorService timer;
    /** A Response as parsed and as received (what the raw channel hands out). */
    record Answer(Response response, byte[] bytes) {
    }

    private final Map<Long, CompletableFuture<Answer>> pending = new ConcurrentHashMap<>();
    private volatile boolean sentUser;
    private volatile String tlsFailure; // why the TLS handshake failed, if it did
    private final CompletableFuture<HelloReply> hello = new CompletableFuture<>();
    private volatile IoSession session;
    private volatile boolean closed;
    /** No new calls; closes once the calls in flight are answered ({@link #closeWhenIdle}). */
    private volatile boolean retiring;
    /** The replica's leaving notice, once it sent one; and who wants to hear of it. */
    private volatile Response leavingNotice;
    private volatile Consumer<Response> leavingListener;

    private Connection(String address, ScheduledExecutorService timer) {
        this.address = address;
        this.timer = timer;
    }

    /**
     * A connector for client connections: one I/O thread ({@link ClientNioProcessor}: resets are
     * not logged at ERROR), TCP_NODELAY, TLS 1.3 first in the chain when {@code security} has a
     * context, frame codec, this class's handler.
     */
    static NioSocketConnector newConnector(long connectTimeoutMs, ClientSecurity security) {
        NioSocketConnector c = new NioSocketConnector(ClientNioProcessor.class, 1);
        c.getSessionConfig().setTcpNoDelay(true);
        c.getSessionConfig().setKeepAlive(true);
        c.setConnectTimeoutMillis(Math.max(1, connectTimeoutMs));
        security.tls().ifPresent(ctx -> c.getFilterChain().addLast("tls",
                TlsFilter.client(ctx, security.verifyHost())));
        c.getFilterChain().addLast("frames", new ProtocolCodecFilter(new FrameCodec(Frames.DEFAULT_MAX_MESSAGE)));
        c.setHandler(new Handler());
        return c;
    }

    /**
     * Connects to {@code address} and completes once the replica answered Hello. A Hello the
     * replica refuses (wrong password, a password without TLS) fails with the replica's
     * {@link ChubbyException} (PERMISSION_DENIED), not a {@link TransportFailure}: trying another
     * replica with the same credentials would not help.
     */
    static CompletableFuture<Connection> open(NioSocketConnector connector, String address, String clientName,
                                              ClientSecurity security, long timeoutMs,
                                              ScheduledExecutorService timer) {
        Connection conn = new Connection(address, timer);
        CompletableFuture<Connection> result = new CompletableFuture<>();
        ScheduledFuture<?> deadline = timer.schedule(() -> {
            if (result.completeExceptionally(new TransportFailure("no handshake with " + address + " within "
                    + timeoutMs + " ms", false, true))) {
                conn.close();
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
        result.whenComplete((c, e) -> deadline.cancel(false));
        ConnectFuture cf;
        try {
            int colon = address.lastIndexOf(':');
            InetSocketAddress sa = new InetSocketAddress(address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1)));
            String host = address.substring(0, colon);
            cf = connector.connect(sa, (s, f) -> {
                s.setAttribute(ATTR, conn);
                s.setAttribute(TlsFilter.PEER_HOST, host);
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(new TransportFailure("cannot connect to " + address + ": "
                    + Futures.describe(e), false, false));
            return result;
        }
        cf.addListener(f -> {
            ConnectFuture done = (ConnectFuture) f;
            if (!done.isConnected()) {
                Throwable why = done.getException();
                result.completeExceptionally(new TransportFailure("cannot connect to " + address + ": "
                        + (why == null ? "cancelled" : Futures.describe(why)), false, false));
                return;
            }
            conn.session = done.getSession();
            if (result.isDone()) {
                conn.close();
                return;
            }
            Hello.Builder hello = Hello.newBuilder().setProtocolVersion(Frames.VERSION).setClientName(clientName);
            security.user().ifPresent(u -> {
                char[] pw = security.password();
                hello.setUser(u).setPassword(new String(pw));
                java.util.Arrays.fill(pw, '\0');
                conn.sentUser = true;
            });
            conn.session.write(hello.build()); // with TLS, held by the filter until the handshake is done
        });
        conn.hello.whenComplete((h, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            } else if (h.hasError()) {
                // the replica refused this Hello and closes the connection
                ErrorCode code = ErrorCode.fromWire(h.getError().getCode());
                result.completeExceptionally(new ChubbyException(code, h.getError().getMessage()));
                conn.close();
            } else {
                log.debug("connected address={} replica={} cell={}", address, h.getReplicaId(), h.getCell());
                result.complete(conn);
            }
        });
        return result;
    }

    String address() {
        return address;
    }

    HelloReply helloReply() {
        return hello.getNow(null);
    }

    /**
     * Who the replica took this connection to be (after the Hello): the principal it named, and
     * the mechanism that explains it: the certificate this side presented in the TLS handshake
     * (the replica prefers it), else the password it sent, else nothing.
     */
    Identity identity() {
        HelloReply h = helloReply();
        String name = h == null || h.getPrincipal().isEmpty() ? "anonymous" : h.getPrincipal();
        IoSession s = session;
        SSLSession tls = s == null ? null : TlsFilter.tlsSession(s);
        Identity.Mechanism m;
        if (tls != null && tls.getLocalCertificates() != null && tls.getLocalCertificates().length > 0) {
            m = Identity.Mechanism.TLS_CERTIFICATE;
        } else if (sentUser) {
            m = Identity.Mechanism.PASSWORD;
        } else {
            m = Identity.Mechanism.NONE;
        }
        return new Identity(name, m, address);
    }

    /** Whether calls may go out on this connection: connected, and not leaving ({@link #closeWhenIdle}). */
    boolean isOpen() {
        IoSession s = session;
        return !closed && !retiring && s != null && s.isConnected();
    }

    /**
     * Sends one encoded request as call {@code id} in {@code epoch}. The future fails with a
     * {@link TransportFailure} when the connection is already closed (not sent), breaks before the
     * answer (sent) or no answer comes in time (sent).
     */
    CompletableFuture<Answer> call(long id, long epoch, byte[] request, long timeoutMs) {
        CompletableFuture<Answer> f = new CompletableFuture<>();
        if (!isOpen()) {
            f.completeExceptionally(new TransportFailure("connection to " + address + " is closed", false, false));
            return f;
        }
        pending.put(id, f);
        if (closed || retiring) { // lost a race with sessionClosed / closeWhenIdle: it may not have seen our entry
            pending.remove(id, f);
            f.completeExceptionally(new TransportFailure("connection to " + address + " is closed", false, false));
            closeIfIdle();
            return f;
        }
        ScheduledFuture<?> t = timer.schedule(() -> {
            if (pending.remove(id, f)) {
                f.completeExceptionally(new TransportFailure("no answer from " + address + " within " + timeoutMs
                        + " ms", true, true));
                closeIfIdle();
            }
        }, Math.max(1, timeoutMs), TimeUnit.MILLISECONDS);
        f.whenComplete((r, e) -> t.cancel(false));
        session.write(FrameCodec.requestFrame(request, id, epoch)).addListener(w -> {
            if (!((org.apache.mina.core.future.WriteFuture) w).isWritten() && pending.remove(id, f)) {
                // Nothing (or only part of a frame) left this host: the server cannot have acted on it.
                f.completeExceptionally(new TransportFailure("could not send to " + address, false, false));
                closeIfIdle();
            }
        });
        return f;
    }

    /**
     * Takes no more calls (they fail as not sent) and closes once every call in flight is answered
     * (or timed out): the way to leave a replica without cutting off a call it may have read.
     */
    void closeWhenIdle() {
        retiring = true;
        closeIfIdle();
    }

    private void closeIfIdle() {
        if (retiring && pending.isEmpty()) {
            close();
        }
    }

    /**
     * Calls {@code listener} (on the I/O thread) when the replica says that it is leaving (an
     * unasked Response with call id 0 and NOT_MASTER, sent by a replica that stops), at once if it
     * already has.
     */
    void onLeaving(Consumer<Response> listener) {
        leavingListener = listener;
        Response notice = leavingNotice;
        if (notice != null) {
            listener.accept(notice);
        }
    }

    /** Closes the connection; pending calls fail as "sent, connection lost". Idempotent. */
    void close() {
        IoSession s = session;
        if (s != null) {
            s.closeNow();
        } else {
            onClosed("closed");
        }
    }

    private void onClosed(String why) {
        closed = true;
        String tls = tlsFailure;
        hello.completeExceptionally(new TransportFailure(tls != null ? "TLS handshake with " + address + " failed: " + tls
                : "connection to " + address + " " + why + " before handshake", false, false));
        for (Long id : pending.keySet()) {
            CompletableFuture<Answer> f = pending.remove(id);
            if (f != null) {
                f.completeExceptionally(new TransportFailure("connection to " + address + " lost", true, false));
            }
        }
    }

    private void onMessage(byte[] bytes) throws InvalidProtocolBufferException {
        if (!hello.isDone()) {
            HelloReply h = HelloReply.parseFrom(bytes);
            hello.complete(h);
            return;
        }
        Response r = Response.parseFrom(bytes);
        if (LeavingNotice.is(r)) {
            log.debug("replica leaving address={} notice=\"{}\"", address, r.getError().getMessage());
            leavingNotice = r;
            Consumer<Response> l = leavingListener;
            if (l != null) {
                l.accept(r);
            }
            return;
        }
        CompletableFuture<Answer> f = pending.remove(r.getCallId());
        if (f != null) {
            f.complete(new Answer(r, bytes));
            closeIfIdle();
        } else {
            log.debug("late response address={} callId={}", address, r.getCallId());
        }
    }

    /** Routes MINA events of every connection of a connector to its {@link Connection}. */
    private static final class Handler extends IoHandlerAdapter {
        @Override
        public void messageReceived(IoSession s, Object message) throws Exception {
            Connection c = (Connection) s.getAttribute(ATTR);
            if (c != null) {
                c.onMessage((byte[]) message);
            }
        }


        @Override
        public void sessionClosed(IoSession s) {
            Connection c = (Connection) s.getAttribute(ATTR);
            if (c != null) {
                c.onClosed("closed");
            }
        }

        /**
         * An I/O error (reset, broken pipe, a write to a closed connection) is routine for a client:
         * the calls it affects are retried or fail with the outcome they had, so it is logged at
         * DEBUG only, like the server's transport does; anything else (a bad frame) at WARN.
         */
        @Override
        public void exceptionCaught(IoSession s, Throwable cause) {
            Connection c = (Connection) s.getAttribute(ATTR);
            Object address = c == null ? s.getRemoteAddress() : c.address;
            SSLException tls = TlsFilter.tlsFailure(cause);
            if (tls != null && c != null && !c.hello.isDone()) {
                // the caller's error says it; retried like any connection failure
                c.tlsFailure = TlsFilter.describe(tls);
                log.debug("TLS handshake failed address={} reason={}", address, c.tlsFailure);
            } else if (cause instanceof IOException) {
                log.debug("connection error, closing address={} reason={}", address, cause.toString());
            } else {
                log.warn("closing connection address={} reason={}", address, cause.toString());
            }
            s.closeNow();
        }
    }
}
