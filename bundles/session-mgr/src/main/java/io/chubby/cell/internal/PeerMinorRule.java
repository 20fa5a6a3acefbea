package io.chubby.cell.internal;

import io.chubby.spi.Member;
import java.util.List;
import java.util.Map;

/**
 * The rule before recording N > 1 partitions (docs/PARTITIONING.md 1.2): every other member must
 * have announced a peer protocol minor that has the grouped peer messages, since an older replica
 * drops them and would stop taking part in groups >= 1. Pure.
 */
final class PeerMinorRule {
    /** Peer 1.3: {@code Grouped}, {@code PeerBatch}, {@code Capabilities}, {@code Handoff}, {@code LeaseRelease}. */
    static final int MINOR_FOR_GROUPS = 3;

    private PeerMinorRule() {
    }

    /** The members other than {@code self} that have not announced at least {@link #MINOR_FOR_GROUPS}, by id. */
    static List<Integer> lacking(List<Member> members, int self, Map<Integer, Integer> announced) {
        return members.stream().map(Member::id).filter(id -> id != self)
                .filter(id -> announced.getOrDefault(id, 0) < MINOR_FOR_GROUPS).sorted().toList();
    }
}
