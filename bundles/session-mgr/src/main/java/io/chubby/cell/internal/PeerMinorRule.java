package io.chubby.cell.internal;

import io.chubby.spi.Member;
import java.util.List;
import java.util.Map;

/**
 * The rules before a cell relies on what newer replicas do: before recording N > 1 partitions
 * (docs/PARTITIONING.md 1.2) every other member must have announced a peer protocol minor that has
 * the grouped peer messages, since an older replica drops them and would stop taking part in
 * groups >= 1; before proposing a lease ceiling, one whose replicas apply {@code SetLeaseCeiling}
 * (an older replica could not apply the entry). Pure.
 */
final class PeerMinorRule {
    /** Peer 1.3: {@code Grouped}, {@code PeerBatch}, {@code Capabilities}, {@code Handoff}, {@code LeaseRelease}. */
    static final int MINOR_FOR_GROUPS = 3;
    /** Peer 1.4: no new message; the replica's cell applies {@code SetLeaseCeiling} (command 17). */
    static final int MINOR_FOR_LEASE_CEILING = 4;

    private PeerMinorRule() {
    }

    /** The members other than {@code self} that have not announced at least {@link #MINOR_FOR_GROUPS}, by id. */
    static List<Integer> lacking(List<Member> members, int self, Map<Integer, Integer> announced) {
        return lacking(members, self, announced, MINOR_FOR_GROUPS);
    }

    /** The members other than {@code self} that have not announced at least {@code minor}, by id. */
    static List<Integer> lacking(List<Member> members, int self, Map<Integer, Integer> announced, int minor) {
        return members.stream().map(Member::id).filter(id -> id != self)
                .filter(id -> announced.getOrDefault(id, 0) < minor).sorted().toList();
    }
}
