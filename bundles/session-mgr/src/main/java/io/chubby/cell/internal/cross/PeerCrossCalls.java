package io.chubby.cell.internal.cross;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.Result;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CrossCalls} between replicas (docs/PARTITIONING.md 4.4): a step for group g goes to the
 * replica believed to master g, over the cell's peer links ({@link Sender}), or to this host's own
 * groups ({@code local}) when that is this replica. The belief is this replica's view of g's master,
 * corrected by the master hint of a NOT_MASTER answer and forgotten when a call times out. Replies
 * ({@link #replied}) are matched to their call by call id; a late or duplicated reply finds no call
 * and is dropped. A call fails (nothing known to be applied; the caller sends again at a later
 * timer step) on NOT_MASTER, on any other error answered, when no master of g is known, when the
 * message cannot be sent, and when no answer came within the timeout. So at most one message per
 * call and one call per open intent and phase is outstanding ({@code DirectoryIntents}).
 *
 * <p>Threads: any thread calls; replies arrive on transport threads. Thread-safe.
 */
public final class PeerCrossCalls implements CrossCalls {
    private static final Logger log = LoggerFactory.getLogger(PeerCrossCalls.class);

    /** How a message reaches another replica (consensus's peer links). */
    @FunctionalInterface
    public interface Sender {
        void send(int replica, byte[] message);
    }

    private record Pending(int group, int replica, CompletableFuture<Result> future) {
    }

    private final int self;
    private final CrossCalls local;
    private final IntUnaryOperator masterView;
    private final Sender sender;
    private volatile long timeoutMillis;
    private final AtomicLong callIds = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    /** Group to the replica a NOT_MASTER answer named: preferred to the local view until a call to it times out. */
    private final Map<Integer, Integer> hints = new ConcurrentHashMap<>();

    /**
     * @param self          this replica's id
     * @param local         this host's groups (a step for a group this replica masters)
     * @param masterView    group to the master this replica's consensus names (0: none known, or group not open)
     * @param sender        the peer links
     * @param timeoutMillis how long a call waits for its reply
     */
    public PeerCrossCalls(int self, CrossCalls local, IntUnaryOperator masterView, Sender sender, long timeoutMillis) {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + timeoutMillis);
        }
        this.self = self;
        this.local = local;
        this.masterView = masterView;
        this.sender = sender;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public CompletableFuture<Result> call(int toGroup, Command step) {
        int target = believedMaster(toGroup);
        if (target == self) {
            return local.call(toGroup, step).whenComplete((r, e) -> {
                if (e != null) {
                    hints.remove(toGroup, self); // stale belief: ask the view again next time
                }
            });
        }
        if (target == 0) {
            return CompletableFuture.failedFuture(ChubbyException.of(ErrorCode.NOT_MASTER,
                    "no master of group %d known to replica %d", toGroup, self));
        }
        long id = callIds.incrementAndGet();
        CompletableFuture<Result> f = new CompletableFuture<>();
        pending.put(id, new Pending(toGroup, target, f));
        try {
            sender.send(target, CrossWire.request(toGroup, id, step));
        } catch (RuntimeException e) {
            pending.remove(id);
            f.completeExceptionally(new ChubbyException(ErrorCode.CELL_UNAVAILABLE,
                    "cross call to replica " + target + " not sent: " + e.getMessage(), e));
            return f;
        }
        // The caller sees the outcome once the call is forgotten (and a timed-out hint with it).
        return f.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenComplete((r, e) -> {
            pending.remove(id);
            if (e instanceof TimeoutException) {
                hints.remove(toGroup, target);
                log.debug("cross call {} to replica {} for group {} timed out", id, target, toGroup);
            }
        });
    }

    /**
     * A reply from {@code from}: completes its call, if still waiting for that replica (a reply from
     * another replica, late or forged, is ignored and the call keeps waiting).
     */
    public void replied(int from, CrossWire.Reply r) {
        Pending p = pending.get(r.callId());
        if (p == null || p.replica() != from || !pending.remove(r.callId(), p)) {
            return;
        }
        if (r.error() == null) {
            p.future().complete(r.result());
            return;
        }
        if (r.error().code() == ErrorCode.NOT_MASTER) {
            if (r.masterHint() > 0 && r.masterHint() != from) {
                hints.put(p.group(), r.masterHint());
            } else {
                hints.remove(p.group());
            }
        }
        p.future().completeExceptionally(r.error());
    }

    /** From now on calls wait {@code millis} for their reply (tests over a lossy network shorten it). */
    public void timeoutMillis(long millis) {
        if (millis <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + millis);
        }
        this.timeoutMillis = millis;
    }

    /** Calls waiting for a reply (tests: nothing is left behind). */
    public int waiting() {
        return pending.size();
    }

    private int believedMaster(int group) {
        Integer hint = hints.get(group);
        return hint != null ? hint : masterView.applyAsInt(group);
    }
}
