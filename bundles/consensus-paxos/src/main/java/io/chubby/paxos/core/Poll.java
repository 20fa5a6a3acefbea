package io.chubby.paxos.core;

import java.util.HashSet;
import java.util.Set;

/**
 * One pre-vote round of a follower (CORE-API.md "When may a replica start an election"): which
 * peers granted or refused the ballot it would campaign with. Holds no acceptor state: discarding
 * it at any time is safe. Owned by the node's thread.
 */
final class Poll {
    final Ballot ballot;
    final long fromIndex;
    final long startedAt;
    long nextRetry;
    private final Set<Integer> granted = new HashSet<>();
    private final Set<Integer> refused = new HashSet<>();

    Poll(Ballot ballot, long fromIndex, long now) {
        this.ballot = ballot;
        this.fromIndex = fromIndex;
        this.startedAt = now;
    }

    /** Records a grant (a later grant overrides a refusal); returns the number of grants. */
    int grant(int replica) {
        refused.remove(replica);
        granted.add(replica);
        return granted.size();
    }

    /** Records a refusal (ignored after a grant); returns the number of refusals. */
    int refuse(int replica) {
        if (!granted.contains(replica)) {
            refused.add(replica);
        }
        return refused.size();
    }

    Set<Integer> granted() {
        return granted;
    }

    Set<Integer> refused() {
        return refused;
    }

    /** Whether {@code replica} answered this round either way. */
    boolean answered(int replica) {
        return granted.contains(replica) || refused.contains(replica);
    }
}
