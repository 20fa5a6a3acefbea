package io.chubby.paxos.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The futures of commands this replica proposed, keyed by the log index the core gave them.
 * A proposal is ours only if the entry applied at its index carries the ballot it was proposed in:
 * a ballot has exactly one proposer and gives each index at most one value, so equal ballots mean
 * equal values. Any other entry at that index means another master's value won the slot.
 * Owned by the replica loop thread. Public (the package stays private to the bundle) so that the
 * whole-cell simulator settles proposals exactly as the replica loop does.
 *
 * @param <B> the core's ballot type (compared with {@code equals})
 */
public final class ProposalFutures<B> {
    private record Pending<B>(B ballot, CompletableFuture<byte[]> future) {
    }

    private final Map<Long, Pending<B>> byIndex = new HashMap<>();

    public void add(long index, B ballot, CompletableFuture<byte[]> future) {
        Pending<B> old = byIndex.put(index, new Pending<>(ballot, future));
        if (old != null) {
            // The core handed out the same index twice only after a leadership change we missed.
            old.future.completeExceptionally(notMaster("index " + index + " was reassigned"));
        }
    }

    /** The entry at {@code index} was applied with {@code result}; settles the proposal there, if any. */
    public void applied(long index, B entryBallot, byte[] result) {
        Pending<B> p = byIndex.remove(index);
        if (p == null) {
            return;
        }
        if (p.ballot.equals(entryBallot)) {
            p.future.complete(result);
        } else {
            p.future.completeExceptionally(notMaster("another master's entry was chosen at index " + index));
        }
    }

    /** Every index at or below {@code index} is settled elsewhere (snapshot installed): outcome unknown. */
    public void supersededThrough(long index) {
        byIndex.entrySet().removeIf(e -> {
            if (e.getKey() <= index) {
                e.getValue().future.completeExceptionally(
                        notMaster("index " + e.getKey() + " was covered by a snapshot; outcome unknown"));
                return true;
            }
            return false;
        });
    }

    /** Fails every pending proposal (mastership lost or replica stopping). */
    public void failAll(String why) {
        for (Pending<B> p : byIndex.values()) {
            p.future.completeExceptionally(notMaster(why));
        }
        byIndex.clear();
    }

    public int size() {
        return byIndex.size();
    }

    /**
     * A proposal refused before the core saw it (not master, handing over, stopped): nothing can
     * have been applied, so CELL_UNAVAILABLE, which callers may retry blindly (session-mgr passes it
     * through; NOT_MASTER after a proposal means "outcome unknown" there).
     */
    public static ChubbyException notProposed(String why) {
        return new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "not proposed: " + why + "; nothing was applied, "
                + "retry");
    }

    /**
     * Where a refusal says the master is: "master is N", or "no other master known" when none is
     * known or the core still names this replica (its lease lapsed, or it is stepping down: the
     * very reason it refuses), so a refusal never sends anyone back to the replica that refused.
     */
    public static String masterHint(int self, int masterId) {
        return masterId == 0 || masterId == self ? "no other master known" : "master is " + masterId;
    }

    public static ChubbyException notMaster(String why) {
        return new ChubbyException(ErrorCode.NOT_MASTER, why);
    }
}
