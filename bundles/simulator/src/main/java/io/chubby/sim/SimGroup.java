package io.chubby.sim;

import io.chubby.paxos.core.Configuration;
import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.PaxosConfig;
import io.chubby.paxos.core.PaxosNode;
import io.chubby.paxos.core.RecoveredState;
import java.util.List;
import java.util.Random;

/**
 * One Paxos group of a {@link SimReplica}: its log on the replica's disk, its state machine and
 * (while the replica is up) its Paxos node. Everything else (clock, crashes, pauses, links) is the
 * replica's and shared by all of its groups.
 */
final class SimGroup {
    final int group;
    final SimStorage storage = new SimStorage();
    final KvStateMachine machine;
    private final PaxosConfig cfg;
    private final Random random;
    PaxosNode node;
    /** Highest non-zero epoch this group ever reported on this replica, across restarts. */
    long maxEpoch;

    SimGroup(int group, PaxosConfig cfg, long seed) {
        this(group, cfg, seed, null);
    }

    /** {@code initial}: the configuration the group starts with (null: the cell's, {@code cfg.replicas()}). */
    SimGroup(int group, PaxosConfig cfg, long seed, Configuration initial) {
        this.group = group;
        this.machine = new KvStateMachine(initial);
        this.cfg = cfg;
        this.random = new Random(seed);
    }

    void start(long localNow) {
        RecoveredState rec = new RecoveredState(storage.promised(), machine.appliedIndex(), machine.configuration());
        node = new PaxosNode(cfg, rec, storage, random::nextLong, localNow);
    }

    /** The node is gone; the first {@code records} unsynced records reached the disk; returns the entries among them. */
    List<Entry> crash(int records) {
        node = null;
        List<Entry> kept = storage.crash(records);
        machine.crash();
        return kept;
    }

    /**
     * Hands {@code env} to this group's node. {@code check}: a message of another group is a
     * routing bug of the replica (cross-talk), reported as such.
     */
    void step(SimEnvelope env, long localNow, boolean check) {
        if (check && env.group() != group) {
            throw new SimulationFailure("cross-talk: a message of group " + env.group() + " (" + env.message()
                    + ") was delivered to group " + group + " of replica " + env.message().to());
        }
        node.step(env.message(), localNow);
    }
}
