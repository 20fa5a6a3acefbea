package io.chubby.paxos.internal;

/**
 * Tuning of {@link MasterPlacement}, validated: where a replica hosting several groups moves the
 * masters of the groups it masters (docs/PARTITIONING.md 1.3). From the DS
 * {@link PaxosReplica.Config} ({@code paxos.placement.*}) or directly by tests.
 *
 * @param settleMs      a group's home replica must have been caught up this long before its
 *                      master hands the group home; 0 turns the home rule off
 * @param overloadBusy  the loop's busy fraction (0..1] above which the replica counts as overloaded
 * @param overloadMs    how long it must stay overloaded before it hands its busiest group away, and
 *                      the least time between two such moves; 0 turns the overload rule off
 */
public record PlacementSettings(long settleMs, double overloadBusy, long overloadMs) {

    public PlacementSettings {
        if (settleMs < 0 || overloadMs < 0) {
            throw new IllegalArgumentException("paxos.placement.settle.ms and paxos.placement.overload.ms must not be "
                    + "negative, were " + settleMs + " and " + overloadMs);
        }
        if (!(overloadBusy > 0 && overloadBusy <= 1)) {
            throw new IllegalArgumentException("paxos.placement.overload.busy must be in (0, 1], was " + overloadBusy);
        }
    }

    /** Home after 10 s caught up; overloaded at a loop busy more than 70% of 30 s. */
    public static PlacementSettings defaults() {
        return new PlacementSettings(10_000, 0.7, 30_000);
    }
}
