package io.chubby.sim;

import io.chubby.paxos.core.PaxosConfig;
import io.chubby.paxos.core.Ready;
import io.chubby.paxos.core.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * One simulated replica: its clock, its disk and its Paxos groups ({@link SimGroup}: each with its
 * own log, state machine and, while the replica is up, node). The groups share the replica's fate:
 * a crash or a pause takes every group down at once, and one loop pass writes every group's
 * records in one combined write (one JE transaction, as GroupHost's {@code LogStores.writeAll}).
 * What a crash keeps is exactly what is durable: the synced disk (plus what of the unsynced writes
 * reached it) and each state machine's durable image. A paused replica (GC pause, SIGSTOP) is up
 * but does nothing: messages to it wait in its inbox, its own answers wait to be sent.
 */
final class SimReplica {
    /** One group's Ready within a loop pass. */
    record GroupReady(SimGroup group, Ready ready) {
        int records() {
            return (ready.promised() != null ? 1 : 0) + ready.entries().size();
        }
    }

    final int id;
    final DriftingClock clock;
    final List<SimGroup> groups = new ArrayList<>();
    /** Where, in carrying out the next loop pass, this replica crashes (set by the fault injector). */
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
     * When > 0: the replica pauses for this long in carrying out its next loop pass: before its
     * writes (after its requests went out) when {@link #pauseBeforePersist}, else right after
     * them, before its answers go out.
     */
    long pauseAtPersistMs;
    boolean pauseBeforePersist;
    /** The loop pass (every group's Ready) it was carrying out when it paused before the persist; finished on resume. */
    List<GroupReady> pendingPass;
    /** Paused: no ticks, no deliveries handled, no proposals, until the resume event with this token. */
    boolean paused;
    long pauseToken;
    /** Messages that arrived while paused, in arrival order. */
    final List<SimEnvelope> inbox = new ArrayList<>();
    /** Answers the replica had persisted but not yet sent when it was paused. */
    final List<SimEnvelope> held = new ArrayList<>();
    /** The combined writes not yet fsynced, in write order: per write, the records it added to each group. */
    final List<int[]> unsyncedWrites = new ArrayList<>();

    /** A replica of {@code groups} groups, all configured by {@code cfg}; group g's node draws from {@code seed} + g * a constant. */
    SimReplica(int id, DriftingClock clock, PaxosConfig cfg, long seed, int groups) {
        this(id, clock, cfg, seed, groups, null);
    }

    /** As above; {@code initial}: every group's starting configuration (null: the cell's; NONE: joining). */
    SimReplica(int id, DriftingClock clock, PaxosConfig cfg, long seed, int groups,
               io.chubby.paxos.core.Configuration initial) {
        this.id = id;
        this.clock = clock;
        for (int g = 0; g < groups; g++) {
            this.groups.add(new SimGroup(g, cfg, seed + g * 0x632BE59BD9B4E019L, initial));
        }
    }

    boolean up() {
        return groups.get(0).node != null;
    }

    SimGroup group(int g) {
        return groups.get(g);
    }

    void start(long trueNow) {
        for (SimGroup g : groups) {
            g.start(clock.local(trueNow));
        }
    }

    /** Whether any group of this up replica believes it holds a valid master lease. */
    boolean holdsALease(long trueNow) {
        if (!up()) {
            return false;
        }
        for (SimGroup g : groups) {
            if (g.node.leaseValid(clock.local(trueNow))) {
                return true;
            }
        }
        return false;
    }

    /** Whether this up replica is a follower holding no lease in every group (a replica nobody waits on as master). */
    boolean followerEverywhere(long trueNow) {
        for (SimGroup g : groups) {
            if (g.node.role() != Role.FOLLOWER || g.node.leaseValid(clock.local(trueNow))) {
                return false;
            }
        }
        return true;
    }

    boolean hasReady() {
        for (SimGroup g : groups) {
            if (g.node.hasReady()) {
                return true;
            }
        }
        return false;
    }

    /** Records the combined write of {@code pass} made without an fsync. */
    void wroteUnsynced(List<GroupReady> pass) {
        int[] records = new int[groups.size()];
        for (GroupReady gr : pass) {
            records[gr.group().group] += gr.records();
        }
        unsyncedWrites.add(records);
    }

    /** The records of the first {@code writes} unsynced combined writes, per group. */
    int[] recordsOfFirst(int writes) {
        int[] records = new int[groups.size()];
        for (int[] w : unsyncedWrites.subList(0, writes)) {
            for (int g = 0; g < records.length; g++) {
                records[g] += w[g];
            }
        }
        return records;
    }

    /** The replica stops (every group's node is gone); the pass, pause and messages in hand are lost. */
    void stop() {
        crashPoint = CrashPoint.NONE;
        pauseAtPersistMs = 0;
        pendingPass = null;
        paused = false;
        pauseToken++;
        inbox.clear();
        held.clear();
        unsyncedWrites.clear();
    }
}
