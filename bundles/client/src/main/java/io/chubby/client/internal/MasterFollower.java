package io.chubby.client.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.MasterInfo;
import io.chubby.client.ClientOptions;
import io.chubby.client.MasterChannel;
import io.chubby.client.internal.Connection.Answer;
import io.chubby.protocol.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's {@link MasterChannel}: finds that partition's master (the cell's, in a cell of
 * one partition) through a {@link MasterDiscovery}, keeps one connection to it, and retries by the
 * library's rules; the public channel is {@link PartitionedChannel}, a follower per partition. Idempotent requests are retried until the call's
 * deadline; at-most-once requests (writes) only when they certainly did not take effect (refused
 * with NOT_MASTER / WRONG_EPOCH / CELL_UNAVAILABLE, or the connection failed before sending). A
 * write that may have reached a master and then lost its answer fails with OUTCOME_UNKNOWN; the
 * master's own OUTCOME_UNKNOWN answer to a write is final (an idempotent request is sent again).
 *
 * <p>The library's own client sends every call (handles, CreateSession, KeepAlive) through
 * {@link #submit}, the same path the public {@link #call} takes, minus two steps it does not
 * need: it passes the request it has just encoded without a defensive copy, and takes the
 * Response already parsed on the I/O thread instead of bytes handed out on a callback thread.
 *
 * <p>Thread-safe: the current connection and the discovery hint are guarded by {@code this}; the
 * epoch is volatile; call state lives in one {@link Call} per call.
 */
public final class MasterFollower implements MasterChannel {
    private static final Logger log = LoggerFactory.getLogger(MasterFollower.class);
    /**
     * The longest pause between two attempts of a call. A call that finds no master (a failover)
     * pauses 10, 20, 40 ... ms: capped at a quarter second, its attempts come at most that long
     * after a new master serves (a 1 s cap made the first write after a kill -9 wait up to a second
     * past the election). Once any call of this follower is answered by the master, the paused
     * ones go at once ({@link Pauses#wakeAll}).
     */
    static final long MAX_BACKOFF_MS = 250;

    private final ClientOptions options;
    private final ScheduledExecutorService timer;
    private final Executor callbacks;
    private final MasterDiscovery discovery;
    private final boolean ownsDiscovery;
    private final int partition;
    private final MasterDiscovery.Listener onLeaving;
    private final Set<Call> active = ConcurrentHashMap.newKeySet();
    private final Pauses pauses;
    private volatile long epoch;
    private volatile boolean closed;
    private CompletableFuture<Connection> current; // guarded by this
    private String hint;                           // guarded by this: where to look for the master first

    /** A channel on threads its owner provides and stops (the client's). */
    MasterFollower(ClientOptions options, ScheduledExecutorService timer, Executor callbacks) {
        this(new MasterDiscovery(options, timer), true, 0, options, timer, callbacks);
    }

    /**
     * The follower of partition {@code partition}'s master over a discovery (its connections and
     * partition map) shared with the followers of the other partitions; closing it leaves the
     * discovery open.
     */
    MasterFollower(MasterDiscovery shared, int partition, ClientOptions options, ScheduledExecutorService timer,
                   Executor callbacks) {
        this(shared, false, partition, options, timer, callbacks);
    }

    private MasterFollower(MasterDiscovery discovery, boolean ownsDiscovery, int partition, ClientOptions options,
                           ScheduledExecutorService timer, Executor callbacks) {
        this.options = options;
        this.timer = timer;
        this.callbacks = callbacks;
        this.discovery = discovery;
        this.ownsDiscovery = ownsDiscovery;
        this.partition = partition;
        this.onLeaving = this::leaving;
        this.pauses = new Pauses(timer);
        discovery.addListener(onLeaving);
    }

    // ---- the public channel ----

    @Override
    public CompletableFuture<byte[]> call(byte[] request, Retry retry) {
        return call(request, retry, options.callTimeout());
    }

    @Override
    public CompletableFuture<byte[]> call(byte[] request, Retry retry, Duration timeout) {
        return call(request, retry, timeout, true);
    }

    @Override
    public CompletableFuture<byte[]> callDirect(byte[] request, Retry retry, Duration timeout) {
        return call(request, retry, timeout, false);
    }

    /** {@code onCallbackThread}: complete on the callback executor, else where the answer arrives. */
    private CompletableFuture<byte[]> call(byte[] request, Retry retry, Duration timeout, boolean onCallbackThread) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(retry, "retry");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            return Futures.failed(new ChubbyException(ErrorCode.INVALID_ARGUMENT, "the timeout must be positive, was "
                    + timeout));
        }
        CompletableFuture<Answer> raw = submit(request.clone(), retry == Retry.AT_MOST_ONCE,
                Math.max(1, timeout.toMillis()));
        CompletableFuture<byte[]> out = new CompletableFuture<>();
        java.util.function.BiConsumer<Answer, Throwable> pass = (a, e) -> {
            if (e != null) {
                out.completeExceptionally(Futures.chubby(e));
            } else {
                out.complete(a.bytes());
            }
        };
        if (onCallbackThread) {
            raw.whenCompleteAsync(pass, callbacks);
        } else {
            raw.whenComplete(pass);
        }
        out.whenComplete((v, e) -> {
            if (out.isCancelled()) {
                raw.cancel(false); // the Call sees its result done and sends no further attempt
            }
        });
        return out;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public synchronized Optional<String> masterAddress() {
        Connection c = connected();
        return c != null && c.isOpen() ? Optional.of(c.address()) : Optional.empty();
    }

    @Override
    public void relocate() {
        Connection c;
        synchronized (this) {
            c = connected();
        }
        if (c != null) {
            retire(c, null);
        }
    }

    @Override
    public void close() {
        CompletableFuture<Connection> c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            c = current;
            current = null;
        }
        discovery.removeListener(onLeaving);
        if (ownsDiscovery) {
            discovery.close(); // closes every connection it pooled
        } else if (c != null) {
            c.thenAccept(discovery.pool()::release);
        }
        for (Call call : active) {
            call.fail(closedError());
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** The partition whose master this follower follows (0 in a cell of one partition). */
    int partition() {
        return partition;
    }

    /** The discovery this follower finds its master through (shared by the followers of all partitions). */
    MasterDiscovery discovery() {
        return discovery;
    }

    /**
     * Completes once a master connection was looked for (found or not): by then the partition map
     * is known as far as the cell could tell, so a request may be built from it.
     */
    CompletableFuture<Void> located() {
        return closed ? CompletableFuture.completedFuture(null) : connection().handle((c, e) -> null);
    }

    // ---- the library's own calls ----

    /**
     * Sends {@code request} (encoded, without call id and epoch; not copied, so not to be changed)
     * by the same rules as {@link #call}. The future completes on the I/O thread with the master's
     * final answer, or fails with a ChubbyException.
     */
    CompletableFuture<Answer> submit(byte[] request, boolean atMostOnce, long timeoutMs) {
        if (closed) {
            return Futures.failed(closedError());
        }
        Call c = new Call(request, atMostOnce, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), timeoutMs);
        active.add(c);
        c.result.whenComplete((r, e) -> active.remove(c));
        if (closed) { // close() may have run before we registered: it would not have failed this call
            c.fail(closedError());
        } else {
            c.start();
        }
        return c.result;
    }

    private static ChubbyException closedError() {
        return new ChubbyException(ErrorCode.CANCELLED, "the channel is closed");
    }

    /** Who the master took this channel's connection to be; null before a master was found. */
    io.chubby.client.Identity identity() {
        synchronized (this) {
            Connection c = connected();
            return c == null ? null : c.identity();
        }
    }

    /** The cell's name as its master calls it (null before the first master was found). */
    String cellName() {
        return discovery.cellName();
    }

    /** Takes a newer epoch learned from the cell. */
    private void learnEpoch(long e) {
        if (e > epoch) {
            epoch = e;
        }
    }

    /** The answers that name the epoch: the channel reads them, the caller still gets them whole. */
    private void learnFrom(Response r) {
        switch (r.getBodyCase()) {
            case CREATE_SESSION -> learnEpoch(r.getCreateSession().getEpoch());
            case KEEP_ALIVE -> learnEpoch(r.getKeepAlive().getEpoch());
            case MASTER_LOCATION -> {
                discovery.learn(r.getMasterLocation());
                if (partition == 0) {
                    learnEpoch(r.getMasterLocation().getEpoch()); // the top-level fields are group 0's
                }
            }
            default -> { }
        }
    }

    // ---- connection and discovery ----

    /** The connection to the master if one was found (open or not); called with the lock held. */
    private Connection connected() {
        return current != null && current.isDone() && !current.isCompletedExceptionally() ? current.join() : null;
    }

    private synchronized CompletableFuture<Connection> connection() {
        if (current != null) {
            if (!current.isDone()) {
                return current;
            }
            Connection c = connected();
            if (c != null && c.isOpen()) {
                return current;
            }
            if (c != null) {
                discovery.pool().release(c); // it closed under us
            }
            current = null;
        }
        PartitionMap map = discovery.map();
        PartitionMap.Master known = map.master(partition);
        if (map.partitioned() && known.known()) {
            // the map names this partition's master (a redirect or another partition's discovery said so)
            learnEpoch(known.epoch());
            String address = known.address();
            CompletableFuture<Connection> f = discovery.pool().acquire(address);
            f.whenComplete((c, e) -> {
                if (e != null) {
                    discovery.unreachable(partition, address);
                }
            });
            current = f;
            return f;
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
        CompletableFuture<Connection> f = discovery.locate(order, partition, this::learnEpoch);
        current = f;
        return f;
    }

    /**
     * Forgets {@code c} as the master connection and releases it to the pool, which closes it once
     * its other calls had time to finish unless another partition's follower holds it.
     */
    private void retire(Connection c, String newHint) {
        boolean held;
        synchronized (this) {
            held = connected() == c;
            if (held) {
                current = null;
            }
            hint = newHint;
        }
        if (held) {
            discovery.pool().release(c);
            if (discovery.map().partitioned()) {
                discovery.unreachable(partition, c.address()); // look again unless a redirect names it
            }
        }
    }

    /**
     * The replica behind {@code c} is leaving: if {@code c} is the master connection, the calls go
     * where the notice says from now on ({@link MasterDiscovery} closes {@code c} once its calls in
     * flight are answered).
     */
    private void leaving(Connection c, MasterInfo mi) {
        if (mi != null && partition == 0) {
            learnEpoch(mi.epoch());
        }
        boolean current;
        synchronized (this) {
            current = connected() == c;
        }
        if (current) {
            retire(c, mi != null && mi.known() && !mi.masterAddress().equals(c.address()) ? mi.masterAddress() : null);
        }
    }

    /** How many calls wait out a backoff before their next attempt (for tests and diagnostics). */
    int pausedCalls() {
        return pauses.size();
    }

    // ---- one call ----

    /** The state of one call across its attempts. */
    private final class Call {
        final byte[] request;
        final boolean atMostOnce;
        final long deadline;
        final long timeoutMs;
        final CompletableFuture<Answer> result = new CompletableFuture<>();
        volatile boolean inFlight; // an attempt was sent and may have taken effect
        volatile String lastError = "none";
        int attempts; // only touched by the thread running the current attempt

        Call(byte[] request, boolean atMostOnce, long deadline, long timeoutMs) {
            this.request = request;
            this.atMostOnce = atMostOnce;
            this.deadline = deadline;
            this.timeoutMs = timeoutMs;
        }

        void start() {
            var t = timer.schedule(() -> fail(timeoutError()), timeoutMs, TimeUnit.MILLISECONDS);
            result.whenComplete((r, e) -> {
                t.cancel(false);
                pauses.forget(this); // ended (deadline, close) while pausing
            });
            attempt();
        }

        private long remainingMs() {
            return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        }

        private ChubbyException timeoutError() {
            if (atMostOnce && inFlight) {
                return outcomeUnknown("no answer within " + timeoutMs + " ms");
            }
            return new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "no answer from the cell within " + timeoutMs
                    + " ms (last error: " + lastError + ")");
        }

        private ChubbyException outcomeUnknown(String why) {
            return new ChubbyException(ErrorCode.OUTCOME_UNKNOWN, "outcome unknown: the " + Wire.kind(request)
                    + " request may have reached the master, but " + why + "; check the state before retrying");
        }

        private void fail(ChubbyException e) {
            result.completeExceptionally(e);
        }

        void attempt() {
            if (result.isDone()) {
                return;
            }
            if (closed) {
                fail(closedError());
                return;
            }
            connection().whenComplete((conn, err) -> {
                if (err != null && Futures.unwrap(err) instanceof ChubbyException refused) {
                    fail(new ChubbyException(refused.code(), refused.detail())); // PERMISSION_DENIED: no retry helps
                    return;
                }
                if (err != null) {
                    retry(Futures.describe(err));
                    return;
                }
                if (result.isDone()) {
                    return;
                }
                inFlight = true;
                conn.call(discovery.nextCallId(), epoch, request, Math.max(1, remainingMs()))
                        .whenComplete((a, e2) -> answered(conn, a, e2));
            });
        }

        private void answered(Connection conn, Answer a, Throwable err) {
            // inFlight stays set until the attempt is known to have had no effect (retry() clears
            // it): a deadline racing with a success or a final answer says "outcome unknown", never
            // CELL_UNAVAILABLE, which promises that nothing was applied
            if (err != null) {
                Throwable c = Futures.unwrap(err);
                TransportFailure tf = c instanceof TransportFailure t ? t
                        : new TransportFailure(String.valueOf(c), true, false);
                if (!tf.timedOut()) {
                    retire(conn, null);
                }
                if (tf.sent() && atMostOnce) {
                    fail(outcomeUnknown(tf.getMessage()));
                } else if (tf.timedOut()) {
                    fail(timeoutError());
                } else {
                    retry(tf.getMessage());
                }
                return;
            }
            Response resp = a.response();
            if (!resp.hasError()) {
                learnFrom(resp);
                result.complete(a);
                pauses.wakeAll(); // the master serves: calls pausing since the failover go now
                return;
            }
            switch (ErrorCode.fromWire(resp.getError().getCode())) {
                case NOT_MASTER, WRONG_EPOCH -> {
                    redirect(conn, resp);
                    retry(Wire.error(resp).getMessage());
                }
                case WRONG_PARTITION -> {
                    // the node is another partition's: the caller routes again by the map it carries
                    if (resp.hasMaster()) {
                        discovery.learn(resp.getMaster());
                    }
                    result.complete(a);
                }
                case OUTCOME_UNKNOWN -> {
                    if (atMostOnce) {
                        result.complete(a); // the master says it may have applied it: its answer is final
                    } else {
                        retry(Wire.error(resp).getMessage()); // safe to send again: that is what idempotent means
                    }
                }
                case CELL_UNAVAILABLE -> {
                    if (atMostOnce && Wire.isLegacyOutcomeUnknown(resp.getError().getMessage())) {
                        result.complete(a); // a server before api 1.1 saying the same thing: final too
                    } else {
                        retry(Wire.error(resp).getMessage());
                    }
                }
                default -> result.complete(a);
            }
        }

        /** Follows the master location a NOT_MASTER / WRONG_EPOCH refusal carries. */
        private void redirect(Connection conn, Response resp) {
            MasterInfo mi = resp.hasMaster() && resp.getMaster().getPartition() == partition
                    ? Wire.masterInfo(resp.getMaster()) : null;
            if (resp.hasMaster()) {
                discovery.learn(resp.getMaster());
            }
            if (mi != null) {
                learnEpoch(mi.epoch());
            }
            if (mi != null && mi.known() && mi.masterAddress().equals(conn.address())) {
                return; // same master, newer epoch: just resend
            }
            retire(conn, mi != null && mi.known() ? mi.masterAddress() : null);
        }

        /** Sends the request again; only called once the last attempt certainly had no effect (or may be repeated). */
        private void retry(String why) {
            inFlight = false;
            lastError = why;
            long backoff = Math.min(MAX_BACKOFF_MS, options.retryBackoff().toMillis() << Math.min(attempts, 10));
            attempts++;
            long left = remainingMs();
            if (left <= 0) {
                fail(timeoutError());
                return;
            }
            backoff = Math.min(backoff, left); // the deadline timer ends the call if this attempt is too late
            if (log.isDebugEnabled()) {
                log.debug("retrying call={} attempt={} backoffMs={} reason={}", Wire.kind(request), attempts, backoff,
                        why);
            }
            pauses.pause(this, this::attempt, backoff);
        }
    }
}
