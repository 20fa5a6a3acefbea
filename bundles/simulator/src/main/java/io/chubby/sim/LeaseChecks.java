package io.chubby.sim;

/**
 * The master lease invariant of a {@link CellSimulation}, checked after every event: per group, at
 * most one replica may believe it holds a valid lease at any true instant, and lease epochs grow.
 */
final class LeaseChecks {

    private final CellSimulation sim;
    /** Per group: the epoch of the latest valid lease seen. */
    private final long[] leaseEpochs = new long[4];

    LeaseChecks(CellSimulation sim) {
        this.sim = sim;
    }

    /** Per group: at most one replica may believe it holds a valid lease at any true instant; lease epochs grow. */
    void afterEvent() {
        for (int g = 0; g < sim.partitions; g++) {
            SimCellReplica holder = null;
            for (SimCellReplica r : sim.replicas) {
                var node = r.node(g);
                if (node != null && node.leaseValid(r.paxosNow())) {
                    if (holder != null) {
                        throw new SimulationFailure("two valid leases" + (g == 0 ? "" : " in group " + g)
                                + ": replica " + holder.id + " epoch " + holder.node(g).epoch() + " and replica " + r.id
                                + " epoch " + node.epoch());
                    }
                    holder = r;
                }
            }
            if (holder != null) {
                long e = holder.node(g).epoch();
                if (e < leaseEpochs[g]) {
                    throw new SimulationFailure("lease epoch went back" + (g == 0 ? "" : " in group " + g) + ": " + e
                            + " after " + leaseEpochs[g]);
                }
                leaseEpochs[g] = e;
            }
        }
    }
}
