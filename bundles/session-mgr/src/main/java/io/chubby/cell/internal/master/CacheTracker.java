package io.chubby.cell.internal.master;

import io.chubby.protocol.Invalidation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;

/**
 * Which sessions may cache which node, and the invalidations a write waits for (Chubby paper
 * 2.8). Master memory only: a new master starts empty and treats every session that has not yet
 * acknowledged its failover event as caching everything.
 *
 * <p>Protocol: a cacheable read registers the session under the node's cell-relative path
 * <em>before</em> it is answered. A write {@link #begin}s: the path becomes uncacheable (reads
 * answer {@code cacheable=false} and do not register), each registered session is sent an
 * invalidation, and the write's {@link Write#drained()} completes when every one acknowledged or
 * is no longer live; only then is the write proposed. A session that registers the absence of a
 * node while a write on it is in progress is added to that write (and invalidated at once),
 * because an absence answer cannot be marked uncacheable. The writer is answered after the commit
 * and a second drain; then the write {@link #end}s.
 *
 * <p>A session that did not acknowledge by the lease end it had when it was invalidated is
 * {@link #dropped}: it is no longer registered anywhere, writes stop waiting for it, and its reads
 * are answered uncacheable (not registered) until it acknowledges the CACHE_DROPPED event
 * ({@link #dropAcked}). Its opens of absent nodes still register it: an Open's answer carries no
 * cacheable flag, so that registration is what keeps such a client's cached absence correct (a
 * creation waits for it at most one lease, like for any holder). The longest time a write waited
 * for one session is kept ({@link #longestHolderWaitMillis}).
 *
 * <p>Threads: request threads, the apply thread, the timer and KeepAlive acknowledgements call
 * in; all state is guarded by this object's monitor. Invalidations are handed to the
 * {@link Sender} and futures completed after the monitor is released.
 */
public final class CacheTracker {
    /** Delivers an invalidation to a session (via its KeepAlive); false if the session is gone. */
    public interface Sender {
        boolean send(long sessionId, Invalidation invalidation);
    }

    /** One write in progress on one path. */
    public final class Write {
        final String path;
        final boolean creates;
        // session -> what it must acknowledge, and since when this write waits for it
        private final Map<Long, Owed> waitingOn = new HashMap<>();
        private final List<CompletableFuture<Void>> drains = new ArrayList<>();

        private Write(String path, boolean creates) {
            this.path = path;
            this.creates = creates;
        }

        /** Completes when no session is left to wait for (now or later). */
        CompletableFuture<Void> drained() {
            CompletableFuture<Void> f = new CompletableFuture<>();
            synchronized (CacheTracker.this) {
                if (!waitingOn.isEmpty()) {
                    drains.add(f);
                    return f;
                }
            }
            f.complete(null);
            return f;
        }
    }

    /** An invalidation id a session must acknowledge (0: the failover event), and since when a write waits for it. */
    private record Owed(long id, long sinceMillis) {
    }

    private final Sender sender;
    private final Clock clock;
    private final BooleanSupplier master;
    private final Map<String, Set<Long>> cachers = new HashMap<>();
    // Sessions that opened a path without create: they may cache its absence; only creation matters.
    private final Map<String, Set<Long>> absent = new HashMap<>();
    private final Map<String, Integer> creating = new HashMap<>();
    private final Map<String, List<Write>> writes = new HashMap<>();
    private final Set<Long> failoverUnacked = new HashSet<>();
    // Sessions that lost their claims -> the CACHE_DROPPED event they have not acknowledged yet
    private final Map<Long, Long> dropped = new HashMap<>();
    // Sessions -> the latest CACHE_DROPPED event they acknowledged (the acknowledgement may overtake the drop)
    private final Map<Long, Long> dropsAcked = new HashMap<>();
    private long nextId = 1;
    private long drops;
    private long longestWaitMillis;

    /**
     * @param master whether this replica is master now: waits are measured only then (a replica
     *               that lost its lease, e.g. in a pause, still drains its waits until it hears so)
     */
    public CacheTracker(Sender sender, Clock clock, BooleanSupplier master) {
        this.sender = sender;
        this.clock = clock;
        this.master = master;
    }

    /**
     * A session is about to be answered a read of the node's contents: registers it and returns
     * true (cacheable), or false while a write on the node is in progress (not registered).
     */
    public boolean registerRead(long sessionId, String path) {
        synchronized (this) {
            if (writes.containsKey(path) || dropped.containsKey(sessionId)) {
                return false;
            }
            cachers.computeIfAbsent(path, k -> new HashSet<>()).add(sessionId);
            return true;
        }
    }

    /**
     * A session may learn that the node does not exist (Open without create) and cache that:
     * registers it; while a write on the path is in progress it is also invalidated at once and
     * that write waits for it.
     */
    public void registerAbsence(long sessionId, String path) {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            List<Write> ws = writes.get(path);
            if (ws != null && creating.containsKey(path)) {
                long id = nextId++;
                Owed owed = new Owed(id, clock.millis());
                for (Write w : ws) {
                    w.waitingOn.put(sessionId, owed);
                }
                after.add(() -> send(sessionId, id, path));
            } else {
                absent.computeIfAbsent(path, k -> new HashSet<>()).add(sessionId);
            }
        }
        after.forEach(Runnable::run);
    }

    /**
     * Starts a write on a path: makes it uncacheable and invalidates every session that may cache
     * it, except the writer's own session, whose client drops its entry for the path when the
     * write's answer (or failure) arrives; until then reads answer uncacheable, so nothing refills it.
     */
    public Write begin(String path, long writerSession, boolean creates) {
        Write w = new Write(path, creates);
        Map<Long, Long> toSend = new HashMap<>();
        long now = clock.millis();
        synchronized (this) {
            writes.computeIfAbsent(path, k -> new ArrayList<>()).add(w);
            Set<Long> s = cachers.remove(path);
            if (creates) {
                creating.merge(path, 1, Integer::sum);
                Set<Long> a = absent.remove(path);
                if (a != null) {
                    s = s == null ? a : union(s, a);
                }
            }
            if (s != null) {
                s.remove(writerSession);
                for (long session : s) {
                    long id = nextId++;
                    w.waitingOn.put(session, new Owed(id, now));
                    toSend.put(session, id);
                }
            }
            for (long session : failoverUnacked) {
                if (session != writerSession) {
                    w.waitingOn.putIfAbsent(session, new Owed(0, now));
                }
            }
            // Earlier writes on the path still waiting: their sessions have the invalidation already.
            for (Write other : writes.get(path)) {
                if (other != w) {
                    other.waitingOn.forEach(w.waitingOn::putIfAbsent);
                }
            }
        }
        toSend.forEach((session, id) -> send(session, id, path));
        return w;
    }

    /** The write is over (answered or failed): the path is cacheable again once no write is left. */
    public void end(Write w) {
        List<CompletableFuture<Void>> done;
        synchronized (this) {
            List<Write> ws = writes.get(w.path);
            if (ws != null && ws.remove(w)) {
                if (ws.isEmpty()) {
                    writes.remove(w.path);
                }
                if (w.creates) {
                    creating.computeIfPresent(w.path, (k, v) -> v <= 1 ? null : v - 1);
                }
            }
            w.waitingOn.clear();
            done = drainIfEmpty(w);
        }
        done.forEach(f -> f.complete(null));
    }

    /**
     * A node changed in an applied entry (also ones no client asked for, e.g. ephemeral cleanup at
     * session end): sessions registered since are sent an invalidation (not waited for).
     */
    public void changed(String path, boolean created) {
        Map<Long, Long> toSend = new HashMap<>();
        synchronized (this) {
            Set<Long> s = cachers.remove(path);
            if (created) {
                Set<Long> a = absent.remove(path);
                if (a != null) {
                    s = s == null ? a : union(s, a);
                }
            }
            if (s != null) {
                for (long session : s) {
                    toSend.put(session, nextId++);
                }
            }
        }
        toSend.forEach((session, id) -> send(session, id, path));
    }

    public void invalidationsAcked(long sessionId, List<Long> ids) {
        settle(sessionId, ids::contains);
    }

    public void failoverAcked(long sessionId) {
        synchronized (this) {
            failoverUnacked.remove(sessionId);
        }
        settle(sessionId, id -> id == 0L);
    }

    /**
     * The session owed an acknowledgement past the lease end it had when it was sent (it is told
     * so with CACHE_DROPPED, and keeps its session): no write waits for it any more, it is
     * registered nowhere, and its reads are uncacheable until {@link #dropAcked}.
     */
    public void dropped(long sessionId, long seq) {
        synchronized (this) {
            drops++;
            if (dropsAcked.getOrDefault(sessionId, 0L) < seq) {
                dropped.merge(sessionId, seq, Math::max);
            }
        }
        forget(sessionId);
    }

    /** The session flushed its cache after the CACHE_DROPPED event {@code seq}: its reads may be cached again. */
    public synchronized void dropAcked(long sessionId, long seq) {
        dropsAcked.merge(sessionId, seq, Math::max);
        if (dropped.getOrDefault(sessionId, Long.MAX_VALUE) <= seq) {
            dropped.remove(sessionId);
        }
    }

    /** The session ended (or does not exist): nothing to wait for from it any more. */
    public void sessionGone(long sessionId) {
        synchronized (this) {
            dropped.remove(sessionId);
            dropsAcked.remove(sessionId);
        }
        forget(sessionId);
    }

    /** Nothing is waited for from the session any more and it is registered nowhere. */
    private void forget(long sessionId) {
        synchronized (this) {
            failoverUnacked.remove(sessionId);
            for (Map<String, Set<Long>> m : List.of(cachers, absent)) {
                for (Iterator<Set<Long>> it = m.values().iterator(); it.hasNext(); ) {
                    Set<Long> s = it.next();
                    if (s.remove(sessionId) && s.isEmpty()) {
                        it.remove();
                    }
                }
            }
        }
        settle(sessionId, id -> true);
    }

    /** Timer step: stops waiting for sessions that are no longer live (lease passed, closing, gone). */
    public void tick(LongPredicate live) {
        Set<Long> dead = new HashSet<>();
        synchronized (this) {
            for (List<Write> ws : writes.values()) {
                for (Write w : ws) {
                    for (long s : w.waitingOn.keySet()) {
                        if (!live.test(s)) {
                            dead.add(s);
                        }
                    }
                }
            }
            for (long s : failoverUnacked) {
                if (!live.test(s)) {
                    dead.add(s);
                }
            }
        }
        dead.forEach(this::forget); // its EndSession, once applied, calls sessionGone
    }

    /**
     * New master: nothing is known about client caches; every session must acknowledge the failover.
     * Invalidation ids of this mastership start above {@code epoch << 24}, so an acknowledgement a
     * client still carries for an earlier master's invalidation never matches one of this master's
     * (they would otherwise both count from 1; found by the whole-cell simulation).
     */
    public void takeOver(List<Long> sessionIds, long epoch) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (this) {
            if (epoch > 0 && epoch < (1L << 38)) {
                nextId = Math.max(nextId, (epoch << 24) + 1);
            }
            cachers.clear();
            absent.clear();
            for (List<Write> ws : writes.values()) {
                for (Write w : ws) {
                    w.waitingOn.clear();
                    done.addAll(drainIfEmpty(w));
                }
            }
            failoverUnacked.clear();
            failoverUnacked.addAll(sessionIds);
            dropped.clear();
            dropsAcked.clear();
        }
        done.forEach(f -> f.complete(null));
    }

    /**
     * Mastership lost: waiting writes go on (their proposals fail NOT_MASTER, or complete if the
     * consensus keeps them across a lapse at the same epoch; each stays uncacheable until it ends);
     * memory is dropped.
     */
    public void lostMastership() {
        takeOver(List.of(), 0);
    }

    public synchronized boolean uncacheable(String path) {
        return writes.containsKey(path);
    }

    public synchronized int trackedPaths() {
        return cachers.size() + absent.size();
    }

    private static Set<Long> union(Set<Long> a, Set<Long> b) {
        Set<Long> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }

    public synchronized int waitingWrites() {
        int n = 0;
        for (List<Write> ws : writes.values()) {
            n += ws.size();
        }
        return n;
    }

    /** Sessions that lost their claims for not acknowledging in time, since this replica started. */
    public synchronized long drops() {
        return drops;
    }

    /**
     * The longest a write waited, or has been waiting, for one session (from the invalidation, or
     * from the write's start for a failover acknowledgement, to the acknowledgement, the drop or the
     * session's end), while this replica was master, since it started; waits cut short by a lost
     * mastership are not counted.
     */
    public synchronized long longestHolderWaitMillis() {
        long now = clock.millis();
        long longest = longestWaitMillis;
        if (!master.getAsBoolean()) {
            return longest;
        }
        for (List<Write> ws : writes.values()) {
            for (Write w : ws) {
                for (Owed owed : w.waitingOn.values()) {
                    longest = Math.max(longest, now - owed.sinceMillis());
                }
            }
        }
        return longest;
    }

    private void settle(long sessionId, java.util.function.LongPredicate matches) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        long now = clock.millis();
        boolean measured = master.getAsBoolean();
        synchronized (this) {
            for (List<Write> ws : writes.values()) {
                for (Write w : ws) {
                    Owed owed = w.waitingOn.get(sessionId);
                    if (owed != null && matches.test(owed.id())) {
                        w.waitingOn.remove(sessionId);
                        if (measured) {
                            longestWaitMillis = Math.max(longestWaitMillis, now - owed.sinceMillis());
                        }
                        done.addAll(drainIfEmpty(w));
                    }
                }
            }
        }
        done.forEach(f -> f.complete(null));
    }

    private List<CompletableFuture<Void>> drainIfEmpty(Write w) {
        if (!w.waitingOn.isEmpty() || w.drains.isEmpty()) {
            return List.of();
        }
        List<CompletableFuture<Void>> out = new ArrayList<>(w.drains);
        w.drains.clear();
        return out;
    }

    private void send(long sessionId, long id, String path) {
        if (!sender.send(sessionId, Invalidation.newBuilder().setId(id).setPath(path).build())) {
            sessionGone(sessionId);
        }
    }
}
