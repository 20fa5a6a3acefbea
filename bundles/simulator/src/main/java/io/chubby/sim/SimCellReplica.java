package io.chubby.sim;

import io.chubby.cell.internal.CellHost;
import io.chubby.cell.internal.CellServer;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.Message;
import io.chubby.paxos.core.PaxosConfig;
import io.chubby.paxos.core.PaxosNode;
import io.chubby.paxos.core.Ready;
import io.chubby.paxos.core.RecoveredState;
import io.chubby.paxos.core.Role;
import io.chubby.spi.Member;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One replica of the whole-cell simulation: the Paxos core over a {@link SimStorage}, and the real
 * session-mgr {@link CellHost} (one group yet: its group 0 {@link CellServer}) over a
 * {@link SimStateStore}, joined by {@link SimConsensus}. The host opens groups on an event of the
 * simulation's queue, never on a thread of its own ({@link #start}). The
 * loop ({@link #drain}) is the replica loop's: requests out, persist, answers out, apply, snapshots,
 * advance, publish mastership. Two clocks: the Paxos core's monotonic local clock (any offset) and
 * the wall clock the cell edge reads (a small offset from true time, the same drift), both
 * {@link DriftingClock}s whose rate a fault may change within the bound.
 *
 * <p>A crash drops the process whole: core, cell edge, pending proposals and connections; nothing
 * runs "on the way down". What survives is the synced Paxos log, the synced state store and a
 * seeded prefix of the unsynced tail of each (torn writes).
 */
final class SimCellReplica {
    /** Where, in carrying out the next Ready, this replica crashes (set by the fault injector). */
    enum CrashPoint { NONE, BEFORE_PERSIST, AFTER_PERSIST }

    static final long WALL_BASE = 1_700_000_000_000L;
    /** Period of the cell edge's timer (true time). */
    static final long CELL_TICK_MS = 50;

    final int id;
    final List<Member> members;
    private final CellSimulation sim;
    private final PaxosConfig cfg;
    private final CellSettings settings;
    private final Random rnd;
    DriftingClock paxosClock;
    DriftingClock wallClock;
    final SimStorage storage = new SimStorage();
    final SimStateStore store = new SimStateStore();
    PaxosNode node;
    SimConsensus consensus;
    CellHost host;
    /** The host's group 0 server. */
    CellServer cell;
    CellStateMachine machine;
    CrashPoint crashPoint = CrashPoint.NONE;
    /** Until this true time the process is stopped (SIGSTOP, GC pause): nothing it receives is handled. */
    long pausedUntil;
    /** The longest cache holder wait of this incarnation's cell edge checked so far. */
    long holderWaitChecked;
    /** This incarnation's pauses, [start, end) in true time (the last one may still run). */
    private final List<long[]> pauses = new ArrayList<>();
    final List<SimConnection> connections = new ArrayList<>();
    private boolean loopScheduled;
    private long durableIndex;
    long maxEpoch;
    int incarnation;

    SimCellReplica(CellSimulation sim, int id, List<Member> members, PaxosConfig cfg, CellSettings settings,
                   DriftingClock paxosClock, DriftingClock wallClock, long seed) {
        this.sim = sim;
        this.id = id;
        this.members = members;
        this.cfg = cfg;
        this.settings = settings;
        this.paxosClock = paxosClock;
        this.wallClock = wallClock;
        this.rnd = new Random(seed);
    }

    PlantedBug bug() {
        return sim.bug;
    }

    boolean up() {
        return node != null;
    }

    boolean paused() {
        return sim.now < pausedUntil;
    }

    /** Stops the process until {@code until} (or longer, if it is paused already). */
    void pause(long until) {
        if (paused()) {
            pauses.get(pauses.size() - 1)[1] = Math.max(pausedUntil, until);
        } else {
            pauses.add(new long[] {sim.now, until});
        }
        pausedUntil = Math.max(pausedUntil, until);
    }

    /** Ends a pause by {@code time} at the latest (healing). */
    void resumeBy(long time) {
        pausedUntil = Math.min(pausedUntil, time);
        if (!pauses.isEmpty()) {
            long[] last = pauses.get(pauses.size() - 1);
            last[1] = Math.min(last[1], Math.max(last[0], time));
        }
    }

    /** How long this incarnation was paused within [from, to) of true time. */
    long pausedWithin(long from, long to) {
        long total = 0;
        for (long[] p : pauses) {
            total += Math.max(0, Math.min(p[1], to) - Math.max(p[0], from));
        }
        return total;
    }

    long paxosNow() {
        return paxosClock.local(sim.now);
    }

    long wallNow() {
        return WALL_BASE + wallClock.local(sim.now);
    }

    /** The wall clock the cell edge reads. */
    private final class WallClock extends Clock {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return wallNow();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }
    }

    void start() {
        incarnation++;
        consensus = new SimConsensus(this);
        SimCellGroups groups = new SimCellGroups(consensus, store, members, id);
        int started = incarnation;
        host = new CellHost(consensus, store, groups, groups, settings, new WallClock(), new Random(rnd.nextLong()),
                task -> sim.at(sim.now, () -> {
                    if (up() && incarnation == started) {
                        task.run();
                    }
                }));
        host.start(); // loads the store, registers the state machine
        if (sim.acl) {
            host.addAuthorizer(sim.authorizer, 0, 1);
        }
        cell = host.server(0);
        machine = (CellStateMachine) cell.stateMachine();
        durableIndex = machine.appliedIndex();
        node = new PaxosNode(cfg, new RecoveredState(storage.promised(), machine.appliedIndex()), storage,
                rnd::nextLong, paxosNow());
        sim.checks.reloaded(this);
        publish();
    }

    void crash() {
        sim.checks.holderWaits(this);
        for (SimConnection c : List.copyOf(connections)) {
            sim.breakConnection(c, "replica " + id + " crashed");
        }
        connections.clear();
        node = null;
        host = null;
        cell = null;
        consensus = null;
        machine = null;
        crashPoint = CrashPoint.NONE;
        pausedUntil = 0;
        pauses.clear();
        holderWaitChecked = 0;
        loopScheduled = false;
        // torn writes: any prefix of the unsynced log records reached the disk (and counts as accepted)
        for (Entry e : storage.crash(rnd.nextInt(storage.unsyncedRecords() + 1))) {
            sim.paxos.accepted(id, e);
        }
        store.crash(rnd);
    }

    // ------------------------------------------------------------------ inputs

    void wantLoop() {
        if (!loopScheduled) {
            loopScheduled = true;
            sim.at(sim.now, this::loop);
        }
    }

    private void loop() {
        loopScheduled = false;
        if (!up()) {
            return;
        }
        if (paused()) {
            wantLoopAt(pausedUntil);
            return;
        }
        consensus.proposeQueued();
        drain();
    }

    private void wantLoopAt(long t) {
        loopScheduled = true;
        sim.at(t, this::loop);
    }

    void deliver(Message m) {
        node.step(m, paxosNow());
        drain();
    }

    void tick() {
        node.tick(paxosNow());
        drain();
        publish();
    }

    void cellTick() {
        for (int g : host.openGroups()) {
            host.server(g).tick();
        }
        sim.checks.holderWaits(this);
    }

    void request(SimConnection conn, byte[] bytes) {
        host.request(conn, bytes);
    }

    // ------------------------------------------------------------------ the loop

    private void drain() {
        for (int guard = 0; node != null && node.hasReady(); guard++) {
            if (guard > 1000) {
                throw new SimulationFailure("replica " + id + " produces Ready forever");
            }
            Ready rd = node.ready();
            if ((rd.promised() != null || !rd.entries().isEmpty()) && !rd.sync()) {
                throw new SimulationFailure("acceptor state change without sync on replica " + id);
            }
            for (Message m : rd.messages()) {
                if (!m.answersPeer()) {
                    sim.send(m);
                }
            }
            if (crashPoint == CrashPoint.BEFORE_PERSIST) {
                sim.crash(this);
                return;
            }
            storage.write(rd.promised(), rd.entries(), rd.sync());
            for (Entry e : rd.entries()) {
                sim.paxos.accepted(id, e);
            }
            if (crashPoint == CrashPoint.AFTER_PERSIST) {
                sim.crash(this);
                return;
            }
            for (Message m : rd.messages()) {
                if (m.answersPeer()) {
                    sim.send(m);
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
    }

    private void apply(Entry e) {
        sim.paxos.applied(id, e);
        if (e.index() <= machine.appliedIndex()) {
            return; // already reflected (recovered state or installed snapshot)
        }
        sim.checks.beforeApply(this, e);
        byte[] result = machine.apply(e.index(), e.epoch(), e.value());
        sim.paxos.state(id, e.index(), machine.checksum());
        sim.checks.afterApply(this, e, result);
        consensus.futures.applied(e.index(), e.epoch(), result == null ? new byte[0] : result);
    }

    /** The replica loop's publish: mastership to the listeners, pending proposals failed on loss. */
    private void publish() {
        if (node == null) {
            return;
        }
        boolean serving = consensus.isMaster();
        boolean was = consensus.tracker.serving();
        boolean lost = consensus.tracker.update(serving, node.masterId(), node.epoch(), machine.appliedIndex());
        if (was != consensus.tracker.serving()) {
            sim.trace("r" + id + (was ? " stops serving" : " serves") + " epoch " + node.epoch() + " applied "
                    + machine.appliedIndex());
        }
        if (lost || (node.role() != Role.MASTER && consensus.futures.size() > 0)) {
            consensus.futures.failAll("replica " + id + " lost mastership");
        }
    }

    private void observe(Ready.Status s) {
        sim.trace("r" + id + " status " + s + " canServe=" + node.canServe(paxosNow()));
        if (s.epoch() != 0) {
            if (s.epoch() < maxEpoch) {
                throw new SimulationFailure("epoch went back on replica " + id + ": " + s.epoch() + " < " + maxEpoch);
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

    // ------------------------------------------------------------------ snapshots

    private void sendSnapshot(int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            machine.writeSnapshot(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long index = machine.appliedIndex();
        byte[] bytes = out.toByteArray();
        sim.sendSnapshot(id, to, () -> sim.replica(to).installSnapshot(bytes, index));
    }

    void installSnapshot(byte[] bytes, long index) {
        if (!up() || index <= node.appliedIndex()) {
            return;
        }
        if (paused()) {
            sim.at(pausedUntil, () -> installSnapshot(bytes, index));
            return;
        }
        try {
            machine.installSnapshot(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new SimulationFailure("replica " + id + " could not install a snapshot: " + e);
        }
        machine.makeDurable();
        durableIndex = index;
        storage.truncateBefore(index + 1);
        node.snapshotInstalled(index);
        consensus.futures.supersededThrough(index);
        sim.snapshots++;
        sim.paxos.state(id, index, machine.checksum());
        sim.checks.reloaded(this);
        drain();
    }
}
