package io.chubby.sim;

import io.chubby.cell.internal.CellHost;
import io.chubby.cell.internal.CellServer;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.paxos.core.Message;
import io.chubby.paxos.core.PaxosConfig;
import io.chubby.paxos.core.PaxosNode;
import io.chubby.spi.Member;
import io.chubby.spi.StateMachine;
import io.chubby.testkit.HashPartitioner;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One replica of the whole-cell simulation: the real session-mgr {@link CellHost} over the Paxos
 * groups of the cell ({@link SimCellGroup}: each its core over a {@link SimStorage}, a
 * {@link SimConsensus} and its {@code CellServer}'s state over a {@link SimStateStore}). Group 0 is
 * opened at start; the others when the host opens them (from the partitions record, at start or
 * when group 0 applies it), on an event of the simulation's queue, never on a thread of its own.
 * The loop is the replica loop's, group by group: requests out, persist, answers out, apply,
 * snapshots, advance, publish mastership. {@link #node}, {@link #machine} and {@link #cell} are the
 * group the clients' workload lives in (group 0 in a cell of one partition), which the cell
 * checks watch. Two clocks: the Paxos core's monotonic local clock (any offset) and
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
    final Random rnd;
    DriftingClock paxosClock;
    DriftingClock wallClock;
    /** The cell's groups on this replica, by number (their logs and state survive crashes). */
    private final List<SimCellGroup> groups = new ArrayList<>();
    /** The workload group's log and state. */
    final SimStorage storage;
    final SimStateStore store;
    /** The workload group's core, consensus, state machine and server while open (else null). */
    PaxosNode node;
    SimConsensus consensus;
    CellServer cell;
    CellStateMachine machine;
    CellHost host;
    private boolean running;
    /** Whether this incarnation's host was given the partitioner (once N > 1 is recorded). */
    private boolean partitionerBound;
    CrashPoint crashPoint = CrashPoint.NONE;
    /** Until this true time the process is stopped (SIGSTOP, GC pause): nothing it receives is handled. */
    long pausedUntil;
    /** The longest cache holder wait of this incarnation's cell edge checked so far. */
    long holderWaitChecked;
    /** This incarnation's pauses, [start, end) in true time (the last one may still run). */
    private final List<long[]> pauses = new ArrayList<>();
    final List<SimConnection> connections = new ArrayList<>();
    private boolean loopScheduled;
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
        for (int g = 0; g < sim.partitions; g++) {
            groups.add(new SimCellGroup(this, sim, g, new Random(seed * 1_000_003 + g)));
        }
        this.storage = groups.get(sim.workloadGroup).storage;
        this.store = groups.get(sim.workloadGroup).store;
    }

    PlantedBug bug() {
        return sim.bug;
    }

    boolean up() {
        return running;
    }

    SimCellGroup group(int g) {
        return groups.get(g);
    }

    int groupCount() {
        return groups.size();
    }

    /** Group {@code g}'s core while it is open here, else null. */
    PaxosNode node(int g) {
        return running ? groups.get(g).node : null;
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
        running = true;
        partitionerBound = false;
        SimCellGroup zero = groups.get(0);
        SimCellGroups opened = new SimCellGroups(this, members, id);
        int started = incarnation;
        host = new CellHost(zero.open(), zero.store, opened, opened, settings, new WallClock(),
                new Random(rnd.nextLong()), task -> sim.at(sim.now, () -> {
                    if (up() && incarnation == started) {
                        bindPartitioner();
                        task.run();
                    }
                }));
        host.crossCalls(sim.cross.from(this, incarnation));
        host.start(); // loads the stores, registers the state machines, opens the recorded groups
        bindPartitioner();
        if (sim.acl) {
            host.addAuthorizer(sim.authorizer, 0, 1);
        }
        zero.started(host.server(0).stateMachine(), cfg, rnd::nextLong);
    }

    /** Binds the reference partitioner once the host knows the cell is partitioned (N > 1 recorded). */
    private void bindPartitioner() {
        if (!partitionerBound && host.partitions().count() > 1) {
            partitionerBound = true;
            host.bindPartitioner(new HashPartitioner(host.partitions().count()));
        }
    }

    /** Group {@code g} (>= 1) was opened by the host and its server registered its state machine. */
    void groupStarted(SimCellGroup g, StateMachine m) {
        g.started(m, cfg, new Random(rnd.nextLong() ^ g.group)::nextLong);
    }

    /** The workload group opened: the cell checks watch it. */
    void watch(SimCellGroup g) {
        node = g.node;
        consensus = g.consensus;
        machine = g.machine;
        cell = host.server(g.group);
    }

    void crash() {
        sim.checks.holderWaits(this);
        for (SimConnection c : List.copyOf(connections)) {
            sim.clientNetwork.breakConnection(c, "replica " + id + " crashed");
        }
        connections.clear();
        running = false;
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
        for (SimCellGroup g : groups) {
            g.crash();
        }
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
        for (SimCellGroup g : groups) {
            if (g.node != null) {
                g.consensus.proposeQueued();
                if (!g.drain()) {
                    return;
                }
            }
        }
    }

    private void wantLoopAt(long t) {
        loopScheduled = true;
        sim.at(t, this::loop);
    }

    void deliver(int group, Message m) {
        SimCellGroup g = groups.get(group);
        if (g.node != null) {
            g.deliver(m);
        }
    }

    void tick() {
        for (SimCellGroup g : groups) {
            if (!up()) {
                return;
            }
            if (g.node != null) {
                g.tick();
            }
        }
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

    void installSnapshot(int group, byte[] bytes, long index) {
        SimCellGroup g = groups.get(group);
        if (!up() || g.node == null || index <= g.node.appliedIndex()) {
            return;
        }
        if (paused()) {
            sim.at(pausedUntil, () -> installSnapshot(group, bytes, index));
            return;
        }
        g.installSnapshot(bytes, index);
    }
}
