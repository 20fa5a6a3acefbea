package io.chubby.paxos.internal;

import io.chubby.paxos.core.Role;
import io.chubby.spi.ConsensusStatus;
import java.util.function.LongPredicate;

/**
 * What the replica loop publishes after every pass for other threads to read: immutable, replaced
 * as a whole through a volatile field.
 *
 * @param servingUntil the last instant (loop clock) at which the node, in its published state, can
 *                     serve; between publications the lease only grows (renewals) and any step-down
 *                     is published at the end of the same pass, so "now <= servingUntil" answers
 *                     {@code isMaster()} exactly even while the loop sits in an fsync
 * @param leaseUntil   likewise for lease validity alone (status)
 * @param masterLiveUntil likewise for {@link io.chubby.paxos.core.PaxosNode#masterLive} (status)
 */
record ReplicaView(Role role, int masterId, long epoch, long commitIndex, long appliedIndex, long checksum,
                   long firstLogIndex, boolean serving, long servingUntil, long leaseUntil, long masterLiveUntil) {

    static final ReplicaView NONE = new ReplicaView(Role.FOLLOWER, 0, 0, 0, 0, 0, 0, false, Long.MIN_VALUE,
            Long.MIN_VALUE, Long.MIN_VALUE);

    boolean canServe(long now) {
        return serving && now <= servingUntil;
    }

    ConsensusStatus status(int self, long now, int group) {
        String r = switch (role) {
            case MASTER -> "master";
            case CANDIDATE -> "candidate";
            case FOLLOWER -> "replica";
        };
        return new ConsensusStatus(self, r, masterId, epoch, commitIndex, appliedIndex, checksum, firstLogIndex,
                now <= leaseUntil, group, now <= masterLiveUntil);
    }

    /**
     * The largest t in [now, now + horizon] with {@code pred(t)}, given {@code pred(now)}. The
     * core's lease predicates are "t before some expiry" for a fixed node state, so a binary
     * search over the pure query finds the expiry (a dozen calls) without reaching into the core.
     */
    static long lastTrue(long now, long horizon, LongPredicate pred) {
        long lo = now;
        long hi = now + horizon;
        if (pred.test(hi)) {
            return hi; // not expected with a lease counted from a past send time; stay bounded
        }
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (pred.test(mid)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
