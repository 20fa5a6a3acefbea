package io.chubby.client.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.Event;
import io.chubby.api.EventType;
import io.chubby.api.SessionState;
import io.chubby.client.ClientOptions;
import io.chubby.protocol.CloseSessionRequest;
import io.chubby.protocol.CreateSessionReply;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.Invalidation;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition session (docs/PARTITIONING.md section 2; in a cell of one partition, the session):
 * creates it, runs the KeepAlive loop (exactly one KeepAlive outstanding; the next
 * one leaves as soon as a reply arrives) and tracks the conservative local lease:
 * {@code max(send time, arrival - maxReplyDelay) + lease_ms * (1 - driftMargin)}. When the local lease runs out without a
 * reply the session is in JEOPARDY and calls wait; a reply within the grace period makes it SAFE,
 * otherwise it is EXPIRED for good.
 *
 * <p>Every call of the session (CreateSession, KeepAlive, CloseSession) and of its handles goes
 * through {@link SessionCalls} over its partition's {@link MasterFollower}. It has its own cache
 * (the paths of its partition: a failover, jeopardy or expiry of this partition flushes only them)
 * and its own handles' event routing; its state changes and application events go to the
 * {@link PartitionSessions} that owns it, which presents all partition sessions as one session.
 *
 * <p>Mutable state is guarded by {@code this}; state changes and events are handed on on
 * {@code notifier}, a serial executor shared by all partition sessions, so they are seen in order
 * (the order of one partition's; events of different partitions are not ordered).
 */
public final class SessionKeeper implements SessionCalls.Gate {
    private static final Logger log = LoggerFactory.getLogger(SessionKeeper.class);

    private final ClientOptions options;
    private final SessionCalls calls;
    private final ScheduledExecutorService timer;
    private final Executor notifier;
    private final MasterFollower channel;
    private final Consumer<SessionState> states;
    private final Consumer<Event> events;

    private SessionState state = SessionState.SAFE;
    private volatile long sessionId;      // set once, by the CreateSession answer
    private long lastLeaseMs;              // the lease the master granted last: how long it may hold a KeepAlive
    private long leaseEnd;                 // System.nanoTime() at which the local lease runs out
    private CompletableFuture<Void> usable = CompletableFuture.completedFuture(null);
    private ScheduledFuture<?> leaseTimer;
    private ScheduledFuture<?> graceTimer;
    private long ackedEventSeq;
    private List<Long> invalidationsToAck = new ArrayList<>();
    private boolean failoverToAck;
    private boolean cacheDropToAck;
    private boolean closed;
    private ChubbyException closedBecause; // set when another partition session's expiry ended this one
    private final ClientCache cache = new ClientCache(true, this::leaseValid);
    private final EventDispatch handleEvents = new EventDispatch();

    /**
     * A partition session over {@code channel} (its partition's follower); {@code states} hears its
     * state changes and {@code events} its application events, both on {@code notifier}.
     */
    SessionKeeper(ClientOptions options, MasterFollower channel, ScheduledExecutorService timer, Executor notifier,
                  Consumer<SessionState> states, Consumer<Event> events) {
        this.options = options;
        this.channel = channel;
        this.calls = new SessionCalls(channel, this, options.callTimeout().toMillis());
        this.timer = timer;
        this.notifier = notifier;
        this.states = states;
        this.events = events;
    }

    /** The partition of this session (0 in a cell of one partition). */
    int partition() {
        return channel.partition();
    }

    /** The calls of this session (and of its handles). */
    SessionCalls calls() {
        return calls;
    }

    /** Creates the session and starts the KeepAlive loop; completes with the session id. */
    CompletableFuture<Long> create() {
        // The request is built once the master was looked for: only then does the client know
        // whether the cell is partitioned (a cell of one partition gets today's bytes).
        return channel.located().thenCompose(v -> createLocated());
    }

    private CompletableFuture<Long> createLocated() {
        boolean aware = channel.discovery().map().partitioned() || partition() != 0;
        return createSession(aware).exceptionallyCompose(e -> {
            ChubbyException ce = Futures.chubby(e);
            if (!aware && ce.code() == ErrorCode.INVALID_ARGUMENT && channel.discovery().map().partitioned()) {
                // no master was known when the request was built (an election): the cell turned out
                // partitioned meanwhile and refused a client it took for one that does not route
                return createSession(true);
            }
            return Futures.failed(ce);
        });
    }

    private CompletableFuture<Long> createSession(boolean partitionAware) {
        long sent = System.nanoTime();
        CreateSessionRequest.Builder create = CreateSessionRequest.newBuilder().setClientName(options.clientName());
        if (partitionAware) {
            create.setPartitionAware(true);
        }
        Request.Builder b = Request.newBuilder().setCreateSession(create);
        // Retrying a CreateSession whose answer was lost at worst leaves an unused session behind,
        // which the master ends when it idles out: so it counts as a read here.
        return calls.callNow(b, false, options.callTimeout().toMillis()).thenApply(r -> {
            long received = System.nanoTime();
            if (!r.hasCreateSession()) {
                throw new ChubbyException(ErrorCode.PROTOCOL_ERROR, "CreateSession answered without a session");
            }
            CreateSessionReply s = r.getCreateSession();
            synchronized (this) {
                sessionId = s.getSessionId();
                extendLease(anchor(sent, received), s.getLeaseMs());
            }
            log.info("session created id={} partition={} leaseMs={} epoch={}", s.getSessionId(), partition(),
                    s.getLeaseMs(), s.getEpoch());
            sendKeepAlive();
            return s.getSessionId();
        });
    }

    @Override
    public long sessionId() {
        return sessionId;
    }

    ClientCache cache() {
        return cache;
    }

    EventDispatch handleEvents() {
        return handleEvents;
    }

    /** Whether the cache may be used: SAFE and the local lease has not run out (checked now, not by the timer). */
    synchronized boolean leaseValid() {
        return !closed && state == SessionState.SAFE && leaseEnd - System.nanoTime() > 0;
    }

    /**
     * The lease the master granted last (CreateSession or KeepAlive reply), in milliseconds: how
     * long it may legitimately hold a write waiting for a cache holder (issue 15).
     */
    @Override
    public synchronized long leaseMillis() {
        return lastLeaseMs;
    }

    /** Milliseconds left of the local lease (0 when it ran out). */
    public synchronized long leaseRemainingMillis() {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(leaseEnd - System.nanoTime()));
    }

    public synchronized SessionState state() {
        return state;
    }

    synchronized boolean expired() {
        return state == SessionState.EXPIRED || closed;
    }

    @Override
    public synchronized CompletableFuture<Void> usable() {
        if (closed) {
            return Futures.failed(closedBecause != null ? closedBecause
                    : new ChubbyException(ErrorCode.SESSION_EXPIRED, "the client is closed"));
        }
        if (state == SessionState.EXPIRED) {
            return Futures.failed(expiredError());
        }
        return usable;
    }

    ChubbyException expiredError() {
        return new ChubbyException(ErrorCode.SESSION_EXPIRED, "session " + Long.toUnsignedString(sessionId())
                + " expired");
    }

    /** Ends the session at the master (best effort, bounded by the call timeout) and stops the loop. */
    CompletableFuture<Void> close() {
        return close(null);
    }

    /**
     * Ends this partition session at the master (CloseSession: its locks are released without
     * lock-delay) because {@code why}, another partition session's expiry, ended the client's
     * session; calls of this partition fail with {@code why} from now on.
     */
    CompletableFuture<Void> closeBecause(ChubbyException why) {
        return close(why);
    }

    private CompletableFuture<Void> close(ChubbyException why) {
        boolean wasLive;
        synchronized (this) {
            wasLive = !closed && state != SessionState.EXPIRED && sessionId != 0;
            closed = true;
            if (why != null && closedBecause == null) {
                closedBecause = why;
            }
            cancelTimers();
            usable.completeExceptionally(why != null ? why
                    : new ChubbyException(ErrorCode.SESSION_EXPIRED, "the client is closed"));
        }
        if (!wasLive) {
            return CompletableFuture.completedFuture(null);
        }
        Request.Builder b = Request.newBuilder().setCloseSession(CloseSessionRequest.getDefaultInstance());
        return calls.callNow(b, false, options.callTimeout().toMillis()).handle((r, e) -> {
            if (e != null) {
                log.debug("close session id={} failed reason={}", sessionId(), Futures.unwrap(e).getMessage());
            }
            return null;
        });
    }

    // ---- KeepAlive loop ----

    private void sendKeepAlive() {
        KeepAliveRequest.Builder ka;
        long timeoutMs;
        synchronized (this) {
            if (closed || state == SessionState.EXPIRED) {
                return;
            }
            ka = KeepAliveRequest.newBuilder().setAckedEventSeq(ackedEventSeq)
                    .addAllAckedInvalidations(invalidationsToAck).setAckedFailover(failoverToAck)
                    .setAckedCacheDropped(cacheDropToAck);
            invalidationsToAck = new ArrayList<>();
            failoverToAck = false;
            cacheDropToAck = false;
            // The master holds the KeepAlive until shortly before the lease it granted ends (a new master
            // after failover: a whole lease), so wait a full lease, then a call timeout more, before
            // deciding it is stuck and relocating. Shorter would abandon every held KeepAlive in jeopardy.
            long leaseLeftMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(leaseEnd - System.nanoTime()));
            timeoutMs = Math.max(leaseLeftMs, lastLeaseMs) + options.callTimeout().toMillis();
        }
        long sent = System.nanoTime();
        calls.callNow(Request.newBuilder().setKeepAlive(ka), false, timeoutMs).whenComplete((r, e) -> {
            if (e == null && r.hasKeepAlive()) {
                onReply(anchor(sent, System.nanoTime()), r.getKeepAlive());
                sendKeepAlive();
                return;
            }
            ChubbyException ce = e == null
                    ? new ChubbyException(ErrorCode.PROTOCOL_ERROR, "KeepAlive answered without a KeepAliveReply")
                    : Futures.chubby(e);
            if (expired()) {
                return;
            }
            if (ce.code() == ErrorCode.SESSION_EXPIRED) {
                expire(ce.detail());
                return;
            }
            log.warn("keepalive failed session={} partition={} reason={}", sessionId(), partition(), ce.getMessage());
            calls.channel().relocate();
            timer.schedule(this::sendKeepAlive, options.retryBackoff().toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /**
     * The earliest time the master can have sent a reply: not before our request left, and (by
     * assumption) not more than maxReplyDelay before it arrived. The send time alone would be sound
     * but useless: the master holds a KeepAlive for most of a lease, so a lease counted from the
     * send time would already be nearly over when the reply arrives.
     */
    private long anchor(long sentNanos, long receivedNanos) {
        long earliest = receivedNanos - options.maxReplyDelay().toNanos();
        return earliest - sentNanos > 0 ? earliest : sentNanos;
    }

    private void onReply(long anchorNanos, KeepAliveReply r) {
        List<Event> fresh = new ArrayList<>();
        List<com.google.protobuf.ByteString> eventHandles = new ArrayList<>();
        synchronized (this) {
            if (closed || state == SessionState.EXPIRED) {
                return;
            }
            extendLease(anchorNanos, r.getLeaseMs());
            for (Invalidation inv : r.getInvalidationsList()) {
                cache.invalidate(inv.getPath()); // applied before it is acknowledged on the next KeepAlive
                invalidationsToAck.add(inv.getId());
            }
            for (EventMessage m : r.getEventsList()) {
                if (m.getSeq() <= ackedEventSeq) {
                    if (m.getKind() == io.chubby.protocol.EventKind.MASTER_FAILED_OVER) {
                        // resent: our acknowledgement was lost with its KeepAlive; the cache was flushed
                        failoverToAck = true;
                    } else if (m.getKind() == io.chubby.protocol.EventKind.CACHE_DROPPED) {
                        cacheDropToAck = true; // likewise
                    }
                    continue; // a resend of an event we already delivered
                }
                ackedEventSeq = m.getSeq();
                if (m.getKind() == io.chubby.protocol.EventKind.CACHE_DROPPED) {
                    // The master no longer counts us as caching anything (an acknowledgement of ours was
                    // late: writes went ahead without it). Flush before acknowledging; until the master
                    // has the acknowledgement it answers our reads uncacheable. Not an application event.
                    cache.flush();
                    cacheDropToAck = true;
                    log.info("cache dropped by the master session={}", sessionId);
                    continue;
                }
                Event ev = Wire.event(m, partition());
                if (ev != null) {
                    if (ev.type() == EventType.MASTER_FAILED_OVER) {
                        // The new master does not know what we cache: flush before acknowledging.
                        cache.flush();
                        failoverToAck = true;
                        log.info("master failed over session={} epoch={}", sessionId, r.getEpoch());
                    }
                    fresh.add(ev);
                    eventHandles.add(m.getHandle());
                }
            }
            // A late answer to a KeepAlive sent long ago may grant a lease that, counted conservatively
            // from our send time, has already ended: it proves nothing about now, so only a fresh one
            // ends jeopardy.
            if (state == SessionState.JEOPARDY && leaseEnd - System.nanoTime() > 0) {
                changeState(SessionState.SAFE);
                usable.complete(null);
                log.info("session safe id={}", sessionId);
            }
            for (int i = 0; i < fresh.size(); i++) {
                Event ev = fresh.get(i);
                com.google.protobuf.ByteString h = eventHandles.get(i);
                notifier.execute(() -> {
                    events.accept(ev);
                    if (ev.type() == EventType.MASTER_FAILED_OVER) {
                        handleEvents.deliverAll(ev);
                    } else {
                        handleEvents.deliver(h, ev);
                    }
                });
            }
        }
    }

    /** Called with the lock held: sets the local lease from a reply the master sent at {@code anchorNanos} at the earliest. */
    private void extendLease(long anchorNanos, long leaseMs) {
        lastLeaseMs = leaseMs;
        long conservative = (long) (TimeUnit.MILLISECONDS.toNanos(leaseMs) * (1 - options.driftMargin()));
        long end = anchorNanos + conservative;
        if (end - leaseEnd > 0 || leaseTimer == null) {
            leaseEnd = end;
        }
        if (leaseTimer != null) {
            leaseTimer.cancel(false);
        }
        // Only a lease that is still running ends jeopardy (onReply), so only such a lease stops the
        // grace period: a reply whose lease, counted conservatively, has already run out proves
        // nothing, and a session that only ever gets such replies must still expire at its end.
        if (graceTimer != null && leaseEnd - System.nanoTime() > 0) {
            graceTimer.cancel(false);
            graceTimer = null;
        }
        leaseTimer = timer.schedule(this::leaseRanOut, Math.max(0, leaseEnd - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private synchronized void leaseRanOut() {
        if (closed || state != SessionState.SAFE || leaseEnd - System.nanoTime() > 0) {
            return;
        }
        log.warn("session in jeopardy id={} graceMs={}", sessionId, options.gracePeriod().toMillis());
        cache.flush(); // invalidations may be missed from now on
        usable = new CompletableFuture<>();
        changeState(SessionState.JEOPARDY);
        graceTimer = timer.schedule(() -> expire("no KeepAlive reply within the grace period of "
                + options.gracePeriod().toMillis() + " ms"), options.gracePeriod().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void expiredAtMaster(String detail) {
        expire("the master says the session expired: " + detail);
    }

    private void expire(String why) {
        synchronized (this) {
            if (state == SessionState.EXPIRED || closed) {
                return; // after close the master ends the session on purpose: nothing to report
            }
            log.warn("session expired id={} reason={}", sessionId, why);
            cache.flush();
            cancelTimers();
            changeState(SessionState.EXPIRED);
            usable.completeExceptionally(expiredError());
        }
    }

    private void cancelTimers() {
        if (leaseTimer != null) {
            leaseTimer.cancel(false);
        }
        if (graceTimer != null) {
            graceTimer.cancel(false);
        }
    }

    /** Called with the lock held, so notifications are queued in the order of the changes. */
    private void changeState(SessionState s) {
        state = s;
        notifier.execute(() -> states.accept(s));
    }
}
