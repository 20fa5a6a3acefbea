package io.chubby.sim;

import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.Message;
import io.chubby.paxos.core.PaxosConfig;
import io.chubby.paxos.core.PaxosNode;
import io.chubby.paxos.core.Ready;
import io.chubby.paxos.core.RecoveredState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One simulated replica: its clock, disk, state machine and (while up) its Paxos node. What a
 * crash keeps is exactly what is durable: the synced disk (plus the prefix of the unsynced writes
 * that reached it) and the state machine's durable image. A paused replica (GC pause, SIGSTOP) is
 * up but does nothing: messages to it wait in its inbox, its own answers wait to be sent.
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
        AFTER_PERSIST,
        /** During its next write of two or more records: made without the fsync; the crash keeps a prefix. */
        TORN
    }

    CrashPoint crashPoint = CrashPoint.NONE;
    /**
     * When > 0: the replica pauses for this long in carrying out its next Ready: before its
     * writes (after its requests went out) when {@link #pauseBeforePersist}, else right after
     * them, before its answers go out.
     */
    long pauseAtPersistMs;
    boolean pauseBeforePersist;
    /** The Ready it was carrying out when it paused before the persist; finished on resume. */
    Ready pendingReady;
    /** Paused: no ticks, no deliveries handled, no proposals, until the resume event with this token. */
    boolean paused;
    long pauseToken;
    /** Messages that arrived while paused, in arrival order. */
    final List<Message> inbox = new ArrayList<>();
    /** Answers the replica had persisted but not yet sent when it was paused. */
    final List<Message> held = new ArrayList<>();

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
        crash(0);
    }

    /** A crash during which the first {@code records} unsynced writes reached the disk; returns the entries among them. */
    List<Entry> crash(int records) {
        node = null;
        crashPoint = CrashPoint.NONE;
        pauseAtPersistMs = 0;
        pendingReady = null;
        paused = false;
        pauseToken++;
        inbox.clear();
        held.clear();
        List<Entry> kept = storage.crash(records);
        machine.crash();
        return kept;
    }
}
