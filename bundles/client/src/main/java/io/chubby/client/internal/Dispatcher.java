package io.chubby.client.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.MasterInfo;
import io.chubby.client.ClientOptions;
import io.chubby.protocol.MasterLocationRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.mina.transport.socket.nio.NioSocketConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends calls to the master: finds it (asking replicas in turn), keeps one connection to it, and
 * retries by the library's rules. Reads are retried until the call's deadline; writes are retried
 * only when they certainly did not take effect (refused with NOT_MASTER / WRONG_EPOCH, or the
 * connection failed before sending). A write that may have reached a master and then lost its
 * answer fails with CELL_UNAVAILABLE "outcome unknown".
 *
 * <p>Thread-safe: the current connection and the discovery hint are guarded by {@code this}; the
 * epoch and session id are volatile; call state lives in one {@link Call} per call.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final long MAX_BACKOFF_MS = 1000;

    /** Lets calls wait while the session is in jeopardy. */
    interface Gate {
        /** Completes when calls may proceed; fails with SESSION_EXPIRED when they never will. */
        CompletableFuture<Void> usable();
    }

    private final ClientOptions options;
    private final ScheduledExecutorService timer;
    private final NioSocketConnector connector;
    private final AtomicLong callIds = new AtomicLong();
    private volatile long epoch;
    private volatile long sessionId;
    private volatile Gate gate = () -> CompletableFuture.completedFuture(null);
    private volatile Runnable onSessionExpired = () -> { };
    private volatile boolean closed;
    private final java.util.Set<Call> active = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Set<Connection> retired = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private CompletableFuture<Connection> current; // guarded by this
    private String hint;                           // guarded by this: where to look for the master first

    Dispatcher(ClientOptions options, ScheduledExecutorService timer) {
        this.options = options;
        this.timer = timer;
        this.connector = Connection.newConnector(options.connectTimeout().toMillis());
    }

    void gate(Gate g) {
        this.gate = g;
    }

    void onSessionExpired(Runnable r) {
        this.onSessionExpired = r;
    }

    void sessionId(long id) {
        this.sessionId = id;
    }

    long epoch() {
        return epoch;
    }

    /** Takes a newer epoch learned from the cell (CreateSession, KeepAlive, master location). */
    void learnEpoch(long e) {
        if (e > epoch) {
            epoch = e;
        }
    }

    /** A call in the session with the default timeout, waiting while the session is in jeopardy. */
    CompletableFuture<Response> call(Request.Builder body, boolean write) {
        long timeoutMs = options.callTimeout().toMillis();
        return gate.usable().thenCompose(v -> call(body, write, timeoutMs));
    }

    /**
     * A call with its own timeout that still waits while the session is in jeopardy (blocking
     * Acquire: the master holds it far longer than a normal call).
     */
    CompletableFuture<Response> callWaiting(Request.Builder body, boolean write, long timeoutMs) {
        return gate.usable().thenCompose(v -> call(body, write, timeoutMs));
    }

    /** A call that does not wait for the session (session set-up, KeepAlive, Close, location). */
    CompletableFuture<Response> call(Request.Builder body, boolean write, long timeoutMs) {
        if (closed) {
            return Futures.failed(new ChubbyException(ErrorCode.SESSION_EXPIRED, "the client is closed"));
        }
        Call c = new Call(body, write, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), timeoutMs);
        active.add(c);
        c.result.whenComplete((r, e) -> active.remove(c));
        if (closed) { // close() may have run before we registered: it would not have failed this call
            c.fail(new ChubbyException(ErrorCode.SESSION_EXPIRED, "the client is closed"));
        } else {
            c.start();
        }
        return c.result;
    }

    /** Stops using the current connection, e.g. when the master seems stuck; the next call relocates. */
    void relocate() {
        Connection c;
        synchronized (this) {
            c = current != null && current.isDone() && !current.isCompletedExceptionally() ? current.join() : null;
        }
        if (c != null) {
            retire(c, null);
        }
    }

    void close() {
        closed = true;
        CompletableFuture<Connection> c;
        synchronized (this) {
            c = current;
            current = null;
        }
        if (c != null) {
            c.thenAccept(Connection::close);
        }
        for (Connection r : retired) {
            r.close();
        }
        for (Call call : active) {
            call.fail(new ChubbyException(ErrorCode.SESSION_EXPIRED, "the client is closed"));
        }
        connector.dispose(false);
    }

    // ---- connection and discovery ----

    private synchronized CompletableFuture<Connection> connection() {
        if (current != null) {
            if (!current.isDone()) {
                return current;
            }
            if (!current.isCompletedExceptionally() && current.join().isOpen()) {
                return current;
            }
        }
        List<String> order = new ArrayList<>();
        if (hint != null) {
            order.add(hint);
        }
        for (String r : options.replicas()) {
            if (!order.contains(r)) {
                order.add(r);
            }
        }
        CompletableFuture<Connection> f = new CompletableFuture<>();
        current = f;
        locate(order, 0, f, new ArrayList<>());
        return f;
    }

    /** Forgets {@code c} as the master connection; closes it once its other calls had time to finish. */
    private void retire(Connection c, String newHint) {
        synchronized (this) {
            if (current != null && current.isDone() && !current.isCompletedExceptionally() && current.join() == c) {
                current = null;
            }
            hint = newHint;
        }
        retired.add(c);
        timer.schedule(() -> {
            retired.remove(c);
            c.close();
        }, options.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void locate(List<String> order, int i, CompletableFuture<Connection> result, List<String> why) {
        if (closed) {
            result.completeExceptionally(new TransportFailure("client closed", false, false));
            return;
        }
        if (i >= order.size()) {
            result.completeExceptionally(new TransportFailure("no replica named a master (" + String.join("; ", why)
                    + ")", false, false));
            return;
        }
        String addr = order.get(i);
        long connectMs = options.connectTimeout().toMillis();
        Connection.open(connector, addr, options.clientName(), connectMs, timer).whenComplete((c, e) -> {
            if (e != null) {
                why.add(Futures.unwrap(e).getMessage());
                locate(order, i + 1, result, why);
                return;
            }
            Request ask = Request.newBuilder().setCallId(callIds.incrementAndGet())
                    .setMasterLocation(MasterLocationRequest.getDefaultInstance()).build();
            c.call(ask, connectMs).whenComplete((resp, e2) -> {
                MasterInfo mi = e2 == null && !resp.hasError() && resp.hasMasterLocation()
                        ? Wire.masterInfo(resp.getMasterLocation()) : null;
                if (mi == null || !mi.known()) {
                    why.add(addr + ": " + (e2 != null ? Futures.unwrap(e2).getMessage()
                            : resp.hasError() ? Wire.error(resp).getMessage() : "knows no master"));
                    c.close();
                    locate(order, i + 1, result, why);
                    return;
                }
                learnEpoch(mi.epoch());
                if (mi.masterAddress().equals(addr)) {
                    log.info("found master address={} epoch={}", addr, mi.epoch());
                    result.complete(c);
                    return;
                }
                c.close();
                Connection.open(connector, mi.masterAddress(), options.clientName(), connectMs, timer)
                        .whenComplete((m, e3) -> {
                            if (e3 != null) {
                                why.add("master " + Futures.unwrap(e3).getMessage());
                                locate(order, i + 1, result, why);
                            } else {
                                log.info("found master address={} epoch={} via={}", mi.masterAddress(), mi.epoch(), addr);
                                result.complete(m);
                            }
                        });
            });
        });
    }

    // ---- one call ----

    /** The state of one API call across its attempts. */
    private final class Call {
        final Request.Builder body;
        final boolean write;
        final long deadline;
        final long timeoutMs;
        final CompletableFuture<Response> result = new CompletableFuture<>();
        volatile boolean inFlight;
        volatile String lastError = "none";
        int attempts; // only touched by the thread running the current attempt

        Call(Request.Builder body, boolean write, long deadline, long timeoutMs) {
            this.body = body;
            this.write = write;
            this.deadline = deadline;
            this.timeoutMs = timeoutMs;
        }

        void start() {
            var t = timer.schedule(() -> fail(timeoutError()), timeoutMs, TimeUnit.MILLISECONDS);
            result.whenComplete((r, e) -> t.cancel(false));
            attempt();
        }

        private long remainingMs() {
            return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        }

        private ChubbyException timeoutError() {
            if (write && inFlight) {
                return outcomeUnknown("no answer within " + timeoutMs + " ms");
            }
            return new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "no answer from the cell within " + timeoutMs
                    + " ms (last error: " + lastError + ")");
        }

        private ChubbyException outcomeUnknown(String why) {
            return new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "outcome unknown: the "
                    + body.getBodyCase().name().toLowerCase(Locale.ROOT)
                    + " request may have reached the master, but " + why + "; not retried");
        }

        private void fail(ChubbyException e) {
            result.completeExceptionally(e);
        }

        void attempt() {
            if (result.isDone()) {
                return;
            }
            if (closed) {
                fail(new ChubbyException(ErrorCode.SESSION_EXPIRED, "the client is closed"));
                return;
            }
            connection().whenComplete((conn, err) -> {
                if (err != null) {
                    retry(Futures.unwrap(err).getMessage());
                    return;
                }
                if (result.isDone()) {
                    return;
                }
                Request r = body.clone().setCallId(callIds.incrementAndGet()).setSessionId(sessionId)
                        .setEpoch(epoch).build();
                inFlight = true;
                conn.call(r, Math.max(1, remainingMs())).whenComplete((resp, e2) -> answered(conn, resp, e2));
            });
        }

        private void answered(Connection conn, Response resp, Throwable err) {
            inFlight = false;
            if (err != null) {
                Throwable c = Futures.unwrap(err);
                TransportFailure tf = c instanceof TransportFailure t ? t
                        : new TransportFailure(String.valueOf(c), true, false);
                if (!tf.timedOut()) {
                    retire(conn, null);
                }
                if (tf.sent() && write) {
                    fail(outcomeUnknown(tf.getMessage()));
                } else if (tf.timedOut()) {
                    fail(timeoutError());
                } else {
                    retry(tf.getMessage());
                }
                return;
            }
            if (!resp.hasError()) {
                result.complete(resp);
                return;
            }
            ChubbyException ce = Wire.error(resp);
            switch (ce.code()) {
                case NOT_MASTER, WRONG_EPOCH -> {
                    redirect(conn, resp);
                    retry(ce.getMessage());
                }
                case CELL_UNAVAILABLE -> {
                    if (write && ce.detail().toLowerCase(Locale.ROOT).contains("unknown")) {
                        fail(ce);
                    } else {
                        retry(ce.getMessage());
                    }
                }
                case SESSION_EXPIRED -> {
                    onSessionExpired.run();
                    fail(ce);
                }
                default -> fail(ce);
            }
        }

        /** Follows the master location a NOT_MASTER / WRONG_EPOCH refusal carries. */
        private void redirect(Connection conn, Response resp) {
            MasterInfo mi = resp.hasMaster() ? Wire.masterInfo(resp.getMaster()) : null;
            if (mi != null) {
                learnEpoch(mi.epoch());
            }
            if (mi != null && mi.known() && mi.masterAddress().equals(conn.address())) {
                return; // same master, newer epoch: just resend
            }
            retire(conn, mi != null && mi.known() ? mi.masterAddress() : null);
        }

        private void retry(String why) {
            lastError = why;
            long backoff = Math.min(MAX_BACKOFF_MS, options.retryBackoff().toMillis() << Math.min(attempts, 10));
            attempts++;
            long left = remainingMs();
            if (left <= 0) {
                fail(timeoutError());
                return;
            }
            backoff = Math.min(backoff, left); // the deadline timer ends the call if this attempt is too late
            log.debug("retrying call={} attempt={} backoffMs={} reason={}", body.getBodyCase(), attempts, backoff, why);
            timer.schedule(this::attempt, backoff, TimeUnit.MILLISECONDS);
        }
    }
}
