package io.chubby.client.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.Event;
import io.chubby.api.SessionState;
import io.chubby.client.ClientOptions;
import io.chubby.client.PartitionStateListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's session as the application sees it: one {@link SessionKeeper} partition session per
 * partition the client uses (docs/PARTITIONING.md section 2), each over its partition's
 * {@link MasterFollower}, all followers sharing one {@link MasterDiscovery}. Partition 0's session
 * is created at connect; partition p's on the first call routed to p. In a cell of one partition
 * there is only partition 0's: the session as before partitions.
 *
 * <p>Presented as one session: one event stream (the partition sessions' events merged on the
 * serial notifier; events of different partitions are not ordered relative to each other); one
 * state, the worst of the partition sessions' (jeopardy of partition p holds only p's calls);
 * expiry of any partition session expires the whole session: the others are ended with
 * CloseSession and every call fails SESSION_EXPIRED.
 *
 * <p>Thread-safe: the sessions are a concurrent map of futures (one creation per partition); the
 * state bookkeeping runs on the serial notifier only.
 */
public final class PartitionSessions {
    private static final Logger log = LoggerFactory.getLogger(PartitionSessions.class);

    private final ClientOptions options;
    private final MasterFollower zeroChannel;
    private final ScheduledExecutorService timer;
    private final Executor callbacks;
    private final Executor notifier;
    private final List<Consumer<SessionState>> stateListeners = new CopyOnWriteArrayList<>();
    private final List<PartitionStateListener> partitionListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Event>> eventListeners = new CopyOnWriteArrayList<>();
    private final Map<Integer, CompletableFuture<SessionKeeper>> creating = new ConcurrentHashMap<>();
    private final Map<Integer, SessionKeeper> keepers = new ConcurrentHashMap<>();
    private final Map<Integer, SessionState> states = new HashMap<>(); // notifier thread only
    private SessionState reported = SessionState.SAFE;                  // notifier thread only
    private volatile boolean closed;

    /** Sessions whose partition 0 follows {@code zeroChannel}; the other partitions' followers share its discovery. */
    PartitionSessions(ClientOptions options, MasterFollower zeroChannel, ScheduledExecutorService timer,
                      Executor callbacks, Executor notifier) {
        this.options = options;
        this.zeroChannel = zeroChannel;
        this.timer = timer;
        this.callbacks = callbacks;
        this.notifier = notifier;
    }

    /**
     * Creates partition 0's session (at connect), and with {@code eagerPartitionSessions} in a
     * partitioned cell every other partition's too; completes with partition 0's session id once
     * they all exist.
     */
    CompletableFuture<Long> create() {
        return session(0).thenCompose(zero -> {
            PartitionMap map = zeroChannel.discovery().map(); // learned with partition 0's master
            if (!options.eagerPartitionSessions() || !map.partitioned()) {
                return CompletableFuture.completedFuture(zero.sessionId());
            }
            List<CompletableFuture<SessionKeeper>> others = new ArrayList<>();
            for (int p = 1; p < map.count(); p++) {
                others.add(session(p));
            }
            return CompletableFuture.allOf(others.toArray(CompletableFuture[]::new)).thenApply(v -> zero.sessionId());
        });
    }

    /**
     * Partition {@code p}'s session, created (CreateSession to p's master) on first use. A failed
     * creation is forgotten, so the next call routed to p tries again.
     */
    CompletableFuture<SessionKeeper> session(int p) {
        CompletableFuture<SessionKeeper> existing = creating.get(p);
        if (existing != null) {
            return existing;
        }
        if (closed || expired()) {
            return Futures.failed(expiredError());
        }
        CompletableFuture<SessionKeeper> made = new CompletableFuture<>();
        existing = creating.putIfAbsent(p, made);
        if (existing != null) {
            return existing;
        }
        MasterFollower channel = p == 0 ? zeroChannel
                : new MasterFollower(zeroChannel.discovery(), p, options, timer, callbacks);
        SessionKeeper k = new SessionKeeper(options, channel, timer, notifier, s -> changed(p, s), this::deliver);
        keepers.put(p, k);
        k.create().whenComplete((id, e) -> {
            if (e == null) {
                made.complete(k);
                return;
            }
            keepers.remove(p, k);
            creating.remove(p, made);
            if (p != 0) {
                channel.close();
            }
            made.completeExceptionally(Futures.chubby(e));
        });
        return made;
    }

    /** Partition {@code p}'s session if it exists (null otherwise): for reads from its cache. */
    SessionKeeper existing(int p) {
        CompletableFuture<SessionKeeper> f = creating.get(p);
        return f != null && f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
    }

    /** Partition 0's session (created at connect). */
    SessionKeeper zero() {
        return keepers.get(0);
    }

    /** The id of partition 0's session: the id the client reports. */
    public long sessionId() {
        SessionKeeper z = zero();
        return z == null ? 0 : z.sessionId();
    }

    /**
     * The worst state of the partition sessions. A client closed by its application keeps the state
     * it had (SAFE for a session ended cleanly), as a single session's state always did; one ended
     * because another partition session expired reports EXPIRED through that one.
     */
    public SessionState state() {
        SessionState worst = SessionState.SAFE;
        for (SessionKeeper k : keepers.values()) {
            worst = worse(worst, k.state());
        }
        return worst;
    }

    /** Milliseconds left of the shortest local lease of the partition sessions. */
    public long leaseRemainingMillis() {
        long min = Long.MAX_VALUE;
        for (SessionKeeper k : keepers.values()) {
            min = Math.min(min, k.leaseRemainingMillis());
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    /** Whether the session has ended: a partition session expired, or the client closed. */
    boolean expired() {
        if (closed) {
            return true;
        }
        for (SessionKeeper k : keepers.values()) {
            if (k.expired()) {
                return true;
            }
        }
        return false;
    }

    /** Why calls fail now that the session has ended. */
    ChubbyException expiredError() {
        for (SessionKeeper k : keepers.values()) {
            if (k.state() == SessionState.EXPIRED) {
                return k.expiredError();
            }
        }
        return new ChubbyException(ErrorCode.SESSION_EXPIRED, "the client is closed");
    }

    public void addStateListener(Consumer<SessionState> l) {
        stateListeners.add(l);
    }

    public void removeStateListener(Consumer<SessionState> l) {
        stateListeners.remove(l);
    }

    public void addPartitionListener(PartitionStateListener l) {
        partitionListeners.add(l);
    }

    public void removePartitionListener(PartitionStateListener l) {
        partitionListeners.remove(l);
    }

    /** Each partition session's state, by partition (the partitions used so far). */
    public Map<Integer, SessionState> partitionStates() {
        Map<Integer, SessionState> out = new java.util.TreeMap<>();
        keepers.forEach((p, k) -> out.put(p, k.state()));
        return out;
    }

    public void addEventListener(Consumer<Event> l) {
        eventListeners.add(l);
    }

    public void removeEventListener(Consumer<Event> l) {
        eventListeners.remove(l);
    }

    /** Ends every partition session at its master (best effort); completes when all answered or gave up. */
    CompletableFuture<Void> close() {
        closed = true;
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (SessionKeeper k : keepers.values()) {
            all.add(k.close());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** Stops the followers of partitions other than 0 (partition 0's is the client's to close). */
    void closeFollowers() {
        for (SessionKeeper k : keepers.values()) {
            if (k.partition() != 0) {
                k.calls().channel().close();
            }
        }
    }

    // ---- on the notifier ----

    private void deliver(Event ev) {
        for (Consumer<Event> l : eventListeners) {
            safely(l, ev);
        }
    }

    /** Partition {@code p}'s session changed to {@code s}: the whole session's state follows the worst. */
    private void changed(int p, SessionState s) {
        if (states.put(p, s) != s) {
            partitionListeners.forEach(l -> safely(x -> l.changed(p, x), s));
        }
        if (s == SessionState.EXPIRED && reported != SessionState.EXPIRED) {
            ChubbyException why = keepers.get(p) != null ? keepers.get(p).expiredError()
                    : new ChubbyException(ErrorCode.SESSION_EXPIRED, "partition " + p + "'s session expired");
            log.warn("partition session expired partition={}: ending the other partition sessions", p);
            for (SessionKeeper k : keepers.values()) {
                if (k.partition() != p) {
                    k.closeBecause(why);
                }
            }
        }
        SessionState worst = SessionState.SAFE;
        for (SessionState each : states.values()) {
            worst = worse(worst, each);
        }
        if (worst != reported) {
            reported = worst;
            SessionState now = worst;
            stateListeners.forEach(l -> safely(l, now));
        }
    }

    private static SessionState worse(SessionState a, SessionState b) {
        return rank(b) > rank(a) ? b : a;
    }

    private static int rank(SessionState s) {
        return switch (s) {
            case SAFE -> 0;
            case JEOPARDY -> 1;
            case EXPIRED -> 2;
        };
    }

    private static <T> void safely(Consumer<T> l, T value) {
        try {
            l.accept(value);
        } catch (RuntimeException e) {
            log.warn("listener failed value={} error={}", value, e.toString());
        }
    }
}
