package io.chubby.sim;

import io.chubby.paxos.core.PaxosConfig;
import io.chubby.paxos.core.PaxosNode;
import io.chubby.paxos.core.RecoveredState;
import java.util.Random;

/**
 * One simulated replica: its clock, disk, state machine and (while up) its Paxos node. What a
 * crash keeps is exactly what is durable: the synced disk and the state machine's durable image.
 */
final class SimReplica {
    final int id;
    final DriftingClock clock;
    final SimStorage storage = new SimStorage();
    final KvStateMachine machine = new KvStateMachine();
    private final PaxosConfig cfg;
    private final Random random;
    PaxosNode node;
    /** Highest non-zero epoch this replica ever reported, across restarts. */
    long maxEpoch;
    /** Where, in carrying out the next Ready, this replica crashes (set by the fault injector). */
    enum CrashPoint {
        NONE,
        /** After its requests went out, before its writes: they are lost, the requests are not. */
        BEFORE_PERSIST,
        /** After its writes, before its answers went out. */
        AFTER_PERSIST
    }

    CrashPoint crashPoint = CrashPoint.NONE;

    SimReplica(int id, DriftingClock clock, PaxosConfig cfg, long seed) {
        this.id = id;
        this.clock = clock;
        this.cfg = cfg;
        this.random = new Random(seed);
    }

    boolean up() {
        return node != null;
    }

    void start(long trueNow) {
        RecoveredState rec = new RecoveredState(storage.promised(), machine.appliedIndex());
        node = new PaxosNode(cfg, rec, storage, random::nextLong, clock.local(trueNow));
    }

    void crash() {
        node = null;
        crashPoint = CrashPoint.NONE;
        storage.crash();
        machine.crash();
    }
}
