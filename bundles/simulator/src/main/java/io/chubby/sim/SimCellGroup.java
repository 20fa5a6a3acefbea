package io.chubby.sim;

import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.Message;
import io.chubby.paxos.core.PaxosConfig;
import io.chubby.paxos.core.PaxosNode;
import io.chubby.paxos.core.RandomSource;
import io.chubby.paxos.core.Ready;
import io.chubby.paxos.core.RecoveredState;
import io.chubby.paxos.core.Role;
import io.chubby.paxos.internal.PendingProposalRule;
import io.chubby.spi.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

/**
 * One Paxos group of a simulated replica ({@link SimCellReplica}): its core over its own
 * {@link SimStorage}, its {@link SimConsensus} and the state machine of the group's
 * {@code CellServer} over its own {@link SimStateStore}. The log and state survive crashes; the
 * core and consensus are the incarnation's, made when the replica's {@code CellHost} opens the
 * group. The loop ({@link #drain}) is the replica loop's for this group: requests out, persist,
 * answers out, apply, snapshots, advance, publish. Peer messages and snapshots carry the group
 * number ({@link CellSimulation#send}), and each group has its own {@link Oracle}; the cell checks
 * ({@link CellChecks}) watch the group the clients' workload lives in.
 */
final class SimCellGroup {
    final int group;
    private final SimCellReplica replica;
    private final CellSimulation sim;
    /** Draws of this group's crashes (torn writes); group 0 draws from the replica's generator, as before groups. */
    private final Random rnd;
    final SimStorage storage = new SimStorage();
    final SimStateStore store = new SimStateStore();
    PaxosNode node;
    SimConsensus consensus;
    CellStateMachine machine;
    private long durableIndex;
    long maxEpoch;

    SimCellGroup(SimCellReplica replica, CellSimulation sim, int group, Random rnd) {
        this.replica = replica;
        this.sim = sim;
        this.group = group;
        this.rnd = rnd;
    }

    private boolean watched() {
        return group == sim.workloadGroup;
    }

    /** A new incarnation's consensus for the host to open (the core follows once its state machine is loaded). */
    SimConsensus open() {
        consensus = new SimConsensus(replica, this);
        return consensus;
    }

    /** The host's server of this group loaded its state and registered: the core starts from it. */
    void started(StateMachine m, PaxosConfig cfg, RandomSource random) {
        machine = (CellStateMachine) m;
        durableIndex = machine.appliedIndex();
        node = new PaxosNode(cfg, new RecoveredState(storage.promised(), machine.appliedIndex()), storage,
                random, replica.paxosNow());
        if (watched()) {
            replica.watch(this);
            sim.checks.reloaded(replica);
        }
        publish();
    }

    void crash() {
        node = null;
        consensus = null;
        machine = null;
        Random draws = group == 0 ? replica.rnd : rnd;
        // torn writes: any prefix of the unsynced log records reached the disk (and counts as accepted)
        for (Entry e : storage.crash(draws.nextInt(storage.unsyncedRecords() + 1))) {
            sim.oracle(group).accepted(replica.id, e);
        }
        store.crash(draws);
    }

    void deliver(Message m) {
        node.step(m, replica.paxosNow());
        drain();
    }

    void tick() {
        node.tick(replica.paxosNow());
        drain();
        publish();
    }

    /** Returns false when the replica crashed in this pass (its crash point). */
    boolean drain() {
        for (int guard = 0; node != null && node.hasReady(); guard++) {
            if (guard > 1000) {
                throw new SimulationFailure("replica " + replica.id + " group " + group + " produces Ready forever");
            }
            Ready rd = node.ready();
            if ((rd.promised() != null || !rd.entries().isEmpty()) && !rd.sync()) {
                throw new SimulationFailure("acceptor state change without sync on replica " + replica.id);
            }
            for (Message m : rd.messages()) {
                if (!m.answersPeer()) {
                    sim.send(group, m);
                }
            }
            if (replica.crashPoint == SimCellReplica.CrashPoint.BEFORE_PERSIST) {
                sim.crash(replica);
                return false;
            }
            storage.write(rd.promised(), rd.entries(), rd.sync());
            for (Entry e : rd.entries()) {
                sim.oracle(group).accepted(replica.id, e);
            }
            if (replica.crashPoint == SimCellReplica.CrashPoint.AFTER_PERSIST) {
                sim.crash(replica);
                return false;
            }
            for (Message m : rd.messages()) {
                if (m.answersPeer()) {
                    sim.send(group, m);
                }
            }
            for (Entry e : rd.committed()) {
                apply(e);
            }
            if (!rd.committed().isEmpty()) {
                machine.applyBatchDone();
            }
            for (int to : rd.needSnapshot()) {
                sendSnapshot(to);
            }
            if (rd.status() != null) {
                observe(rd.status());
            }
            node.advance(rd);
            publish();
            compact();
        }
        return true;
    }

    private void apply(Entry e) {
        sim.oracle(group).applied(replica.id, e);
        if (e.index() <= machine.appliedIndex()) {
            return; // already reflected (recovered state or installed snapshot)
        }
        if (watched()) {
            sim.checks.beforeApply(replica, e);
        }
        byte[] result = machine.apply(e.index(), e.epoch(), e.value());
        sim.oracle(group).state(replica.id, e.index(), machine.checksum());
        if (watched()) {
            sim.checks.afterApply(replica, e, result);
            if (sim.acl && sim.partitions > 1) {
                sim.aclChecks.aclGroupApplied(machine, e); // the watched group is A, the ACL files' (CellSimulation)
            }
        } else if (sim.acl) {
            sim.aclChecks.afterApply(group, machine, e, result);
        }
        consensus.futures.applied(e.index(), e.epoch(), result == null ? new byte[0] : result);
    }

    /**
     * The replica loop's publish: mastership to the listeners, pending proposals failed on loss by
     * the loop's own {@link PendingProposalRule} (no handoffs in this loop: nothing is handed over
     * or kept after a step-down); a lapse at the same epoch keeps them, and the simulation counts it.
     */
    void publish() {
        if (node == null) {
            return;
        }
        boolean serving = consensus.isMaster();
        boolean was = consensus.tracker.serving();
        boolean lost = consensus.tracker.update(serving, node.masterId(), node.epoch(), machine.appliedIndex());
        boolean sameEpoch = lost && consensus.tracker.lossKeptEpoch();
        if (was != consensus.tracker.serving()) {
            sim.trace("r" + replica.id + " g" + group + (was ? " stops serving" : " serves") + " epoch " + node.epoch()
                    + " applied " + machine.appliedIndex());
        }
        boolean master = node.role() == Role.MASTER;
        int pending = consensus.futures.size();
        if (PendingProposalRule.failNow(lost, master, sameEpoch, false, false, pending)) {
            consensus.futures.failAll("replica " + replica.id + " lost mastership");
        } else if (PendingProposalRule.keptAcrossLapse(lost, master, sameEpoch) && pending > 0) {
            sim.lapsesKeepingProposals++;
            sim.proposalsKeptAcrossLapses += pending;
        }
    }

    private void observe(Ready.Status s) {
        sim.trace("r" + replica.id + " g" + group + " status " + s + " canServe=" + node.canServe(replica.paxosNow()));
        if (s.epoch() != 0) {
            if (s.epoch() < maxEpoch) {
                throw new SimulationFailure("epoch went back on replica " + replica.id + " group " + group + ": "
                        + s.epoch() + " < " + maxEpoch);
            }
            maxEpoch = s.epoch();
        }
        if (s.role() == Role.MASTER) {
            sim.masterships++;
        }
    }

    private void compact() {
        if (machine.appliedIndex() - durableIndex < 25) {
            return;
        }
        machine.makeDurable();
        durableIndex = machine.appliedIndex();
        if (sim.compaction) {
            storage.truncateBefore(durableIndex - 10 + 1);
        }
    }

    private void sendSnapshot(int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            machine.writeSnapshot(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long index = machine.appliedIndex();
        byte[] bytes = out.toByteArray();
        sim.sendSnapshot(replica.id, to, () -> sim.replica(to).installSnapshot(group, bytes, index));
    }

    void installSnapshot(byte[] bytes, long index) {
        if (node == null || index <= node.appliedIndex()) {
            return;
        }
        try {
            machine.installSnapshot(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new SimulationFailure("replica " + replica.id + " group " + group + " could not install a snapshot: "
                    + e);
        }
        machine.makeDurable();
        durableIndex = index;
        storage.truncateBefore(index + 1);
        node.snapshotInstalled(index);
        consensus.futures.supersededThrough(index);
        sim.snapshots++;
        sim.oracle(group).state(replica.id, index, machine.checksum());
        if (watched()) {
            sim.checks.reloaded(replica);
        }
        drain();
    }
}
