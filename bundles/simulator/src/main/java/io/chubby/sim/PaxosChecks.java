package io.chubby.sim;

import io.chubby.paxos.core.Ready;
import io.chubby.paxos.core.Role;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Paxos-level checks of a {@link Simulation} that are not the {@link Oracle}'s, per group: at
 * most one valid lease holder at any true instant, lease epochs and reported epochs that never go
 * back, the masterships seen (and when each first served), and progress after healing. Runs on
 * the simulation's thread.
 */
final class PaxosChecks {
    private final Simulation sim;
    /** Per group: the epoch of the last lease holder seen. */
    private final long[] leaseEpoch;
    /** Per group: highest epoch any replica was master in so far. */
    final long[] maxMasterEpoch;
    /** Per group: the index of the first proposal made after healing (-1 until one is), and by which replica. */
    final long[] progressIndex;
    final int[] progressReplica;
    /** Every mastership so far, in order. */
    final List<Simulation.Mastership> masterships = new ArrayList<>();
    int masters;

    PaxosChecks(Simulation sim, int groups) {
        this.sim = sim;
        this.leaseEpoch = new long[groups];
        this.maxMasterEpoch = new long[groups];
        this.progressIndex = new long[groups];
        Arrays.fill(progressIndex, -1);
        this.progressReplica = new int[groups];
    }

    /** A replica's group reported a status: its epoch never goes back; a new master is recorded. */
    void observeStatus(SimReplica r, SimGroup g, Ready.Status s) {
        sim.trace("status r" + r.id + (sim.groups() > 1 ? " g" + g.group : "") + " " + s);
        if (s.epoch() != 0) {
            if (s.epoch() < g.maxEpoch) {
                throw new SimulationFailure("epoch went back on replica " + r.id
                        + (sim.groups() > 1 ? " group " + g.group : "") + ": " + s.epoch() + " < " + g.maxEpoch);
            }
            g.maxEpoch = s.epoch();
        }
        if (s.role() == Role.MASTER) {
            masters++;
            masterships.add(new Simulation.Mastership(r.id, s.epoch(), sim.now, -1, g.group));
            maxMasterEpoch[g.group] = Math.max(maxMasterEpoch[g.group], s.epoch());
        }
    }

    /** Per group: at most one replica may believe it holds a valid lease at any true instant; lease epochs grow. */
    void checkLeases() {
        for (int g = 0; g < sim.groups(); g++) {
            checkLeases(g);
        }
    }

    private void checkLeases(int group) {
        String inGroup = sim.groups() > 1 ? " in group " + group : "";
        SimReplica holder = null;
        for (SimReplica r : sim.replicas) {
            if (r.up() && r.group(group).node.leaseValid(r.clock.local(sim.now))) {
                if (holder != null) {
                    throw new SimulationFailure("two valid leases" + inGroup + ": replica " + holder.id + " epoch "
                            + holder.group(group).node.epoch() + " and replica " + r.id + " epoch "
                            + r.group(group).node.epoch());
                }
                holder = r;
            }
        }
        if (holder != null) {
            long e = holder.group(group).node.epoch();
            markServed(holder.id, group, e);
            if (e < leaseEpoch[group]) {
                throw new SimulationFailure("lease epoch went back" + inGroup + ": " + e + " after " + leaseEpoch[group]);
            }
            leaseEpoch[group] = e;
        }
    }

    private void markServed(int replica, int group, long epoch) {
        for (int i = masterships.size() - 1; i >= 0; i--) {
            Simulation.Mastership m = masterships.get(i);
            if (m.replica() == replica && m.group() == group && m.epoch() == epoch) {
                if (!m.served()) {
                    masterships.set(i, new Simulation.Mastership(m.replica(), epoch, m.at(), sim.now, group));
                }
                return;
            }
        }
    }

    /** After healing: whether, in every group, a proposal made after healing is applied by every member. */
    boolean progressEverywhere() {
        if (!sim.healed) {
            return false;
        }
        for (int g = 0; g < sim.groups(); g++) {
            if (progressIndex[g] < 0) {
                return false;
            }
            io.chubby.paxos.core.Configuration members = sim.oracle(g).configuration();
            for (SimReplica r : sim.replicas) {
                if (!members.contains(r.id)) {
                    continue; // removed (or never added): nothing is replicated to it any more
                }
                if (!r.up() || r.group(g).machine.appliedIndex() < progressIndex[g]) {
                    return false;
                }
            }
        }
        return true;
    }

    String progressIndexes() {
        return sim.groups() == 1 ? String.valueOf(progressIndex[0]) : Arrays.toString(progressIndex);
    }
}
