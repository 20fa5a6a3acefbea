package io.chubby.sim;

import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.Message;
import io.chubby.paxos.core.PaxosConfig;
import io.chubby.paxos.core.PaxosNode;
import io.chubby.paxos.core.Ready;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A deterministic run of an N-replica cell of G Paxos groups per replica (G = 1 unless asked,
 * {@link #groupsFor} draws it per seed): a seeded fault phase (loss, duplication, reordering,
 * delay, messages held for seconds, partitions incl. one-way, crash-restart, mid-batch crashes that
 * tear the unsynced writes, process pauses past the lease, clock drift and forward clock steps
 * within the drift bound), then healing, after which the cell must commit a new proposal and every
 * replica must catch up within a bound, in every group. Invariants are checked after every event,
 * per group (see {@link Oracle} and {@link #checkLeases}), plus no cross-talk between groups. The
 * groups of a replica share its fate as GroupHost's do: one loop pass takes one Ready of every
 * group and writes them in one combined write (one fsync), a crash or pause stops every group, and
 * they share its clock and links (a partition cuts every group). Single-threaded; the outcome is a
 * pure function of (seed, replicas, groups), {@link #beyondBoundClockJumps} and {@link #plantedBug}.
 */
public final class Simulation {

    /** What a finished run did. */
    public record Result(long seed, int replicas, long events, int chosen, long endTime, int masters, int crashes,
                         int snapshots, int groups) {
        /** A run of one group per replica (the 1.2 shape). */
        public Result(long seed, int replicas, long events, int chosen, long endTime, int masters, int crashes,
                      int snapshots) {
            this(seed, replicas, events, chosen, endTime, masters, crashes, snapshots, 1);
        }
    }

    /**
     * The faults of the extended model one run injected, and how often they hit what they aim at:
     * {@code staleLateDeliveries} long-delayed messages delivered after a master with a higher
     * ballot than theirs had been elected; {@code pausedHolders} pauses of the lease holder;
     * {@code resumedDeposed} replicas that resumed to find a newer master elected meanwhile;
     * {@code tornPartial} crashes that kept some but not all of the unsynced writes.
     * {@code outsideModel} is null unless the run stepped a clock beyond the drift bound
     * ({@link #beyondBoundClockJumps}); then it says which clock, when and by how much.
     */
    public record Faults(int pauses, long longDelays, int clockJumps, int tornCrashes, String outsideModel,
                         long staleLateDeliveries, int pausedHolders, int resumedDeposed, int tornPartial) {
    }

    /**
     * A replica became master (reported role MASTER) of {@code group} at true time {@code at} with
     * {@code epoch}; {@code servedAt} is the first true instant at which it held a valid lease of
     * that group, -1 if it never did (a master that loses a duel at once never does).
     */
    public record Mastership(int replica, long epoch, long at, long servedAt, int group) {
        /** A mastership of group 0 (the 1.2 shape). */
        public Mastership(int replica, long epoch, long at, long servedAt) {
            this(replica, epoch, at, servedAt, 0);
        }

        public boolean served() {
            return servedAt >= 0;
        }
    }

    private record Event(long time, long seq, Runnable action) {
    }

    static final long FAULT_PHASE_MS = 4_000;
    /** In a healthy-cell run: followers crash from here (the first master is elected by then) ... */
    static final long HEALTHY_FIRST_CRASH_MS = 2_000;
    /** ... until here, then every replica is restarted and the cell must make progress. */
    static final long HEALTHY_PHASE_MS = 8_000;
    static final long PROGRESS_BOUND_MS = 15_000;
    /** L of every replica. */
    static final long LEASE_MS = 1_000;
    /** Clock steps within the bound keep the drift bound over every interval of at least this (< L / (1 + drift)). */
    static final long CLOCK_HORIZON_MS = LEASE_MS / 2;
    /** Replicas tick every 20 ms, or every 5 ms in a quarter of the runs (elections then start
     *  right as promises lapse, which exposes a lease margin that is too thin). */
    private final long tickMs;

    private final long seed;
    final Random rnd;
    final List<SimReplica> replicas = new ArrayList<>();
    final SimNetwork net;
    /** Per group. */
    private final Oracle[] oracles;
    private final int groups;
    private final PaxosPlantedBug bug;
    /** Draws the planted bug's misdeliveries (a generator of its own: the run is otherwise as without the bug). */
    private final Random bugRandom;
    /** Whether a replica checks that a message it hands a group's node is of that group. */
    private boolean deliveryCheck = true;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    final double maxDrift;
    private final boolean compaction;
    /** {@link #restartsInAHealthyCell}: only followers crash; restarts and snapshot installs take real-world time. */
    private final boolean healthy;
    private final boolean trace;
    private long seq;
    long now;
    private long events;
    /** Per group. */
    private final long[] leaseEpoch;
    private int masters;
    private long clientSeq;
    private boolean healed;
    /** Per group: the index of the first proposal made after healing (-1 until one is), and by which replica. */
    private final long[] progressIndex;
    private final int[] progressReplica;
    private boolean done;
    private final FaultInjector faults = new FaultInjector(this);
    private int crashes;
    private int snapshots;
    private int pauses;
    private int tornCrashes;
    private boolean beyondBound;
    private long staleLateDeliveries;
    private int pausedHolders;
    private int resumedDeposed;
    private int tornPartial;
    /** Every mastership so far, in order; see {@link #masterships()}. */
    private final List<Mastership> masterships = new ArrayList<>();
    /** Per group: highest epoch any replica was master in so far. */
    private final long[] maxMasterEpoch;

    /** One group per replica (the runs before issue 18). */
    public Simulation(long seed, int n, boolean trace) {
        this(seed, n, trace, false, 1, PaxosPlantedBug.NONE);
    }

    /**
     * {@code groups} Paxos groups per replica (1-8). A run with one group is exactly the run of
     * {@link #Simulation(long, int, boolean)}.
     */
    public Simulation(long seed, int n, boolean trace, int groups) {
        this(seed, n, trace, false, groups, PaxosPlantedBug.NONE);
    }

    /** As {@link #Simulation(long, int, boolean, int)} with a planted bug its checks must catch. */
    public Simulation(long seed, int n, boolean trace, int groups, PaxosPlantedBug bug) {
        this(seed, n, trace, false, groups, bug);
    }

    /**
     * The number of groups per replica for {@code seed} in the seed sweeps: 1 in a third of the
     * seeds, else 2-8 evenly. Drawn from a generator of its own, so the seeds with one group run
     * exactly as they did before groups existed.
     */
    public static int groupsFor(long seed) {
        Random r = new Random(seed * 0x2545F4914F6CDD1DL + 18);
        return r.nextInt(3) == 0 ? 1 : 2 + r.nextInt(7);
    }

    /**
     * A healthy cell under steady proposal load (no loss, no duplication, no partitions, no
     * pauses, no clock steps; short delays) in which only followers crash, at most as many at a
     * time as leave a majority up, and restart 0.2-2.2 s later from their disks, always with log
     * compaction (so a restarted follower usually needs a snapshot). What a restart looks like on
     * real processes is modelled: every peer's link to the restarted replica comes back only after
     * that peer's reconnect backoff (0-2 L), and installing a snapshot keeps the replica's loop busy
     * (messages wait, no ticks) for up to L. Every invariant is checked as in the fault runs; in
     * such a cell the first master should stay master for the whole run ({@link Result#masters}).
     * One group per replica.
     */
    public static Simulation restartsInAHealthyCell(long seed, int n, boolean trace) {
        return new Simulation(seed, n, trace, true, 1, PaxosPlantedBug.NONE);
    }

    private Simulation(long seed, int n, boolean trace, boolean healthy, int groups, PaxosPlantedBug bug) {
        if (groups < 1 || groups > 8) {
            throw new IllegalArgumentException("groups must be 1-8: " + groups);
        }
        this.seed = seed;
        this.healthy = healthy;
        this.trace = trace;
        this.groups = groups;
        this.bug = bug;
        this.bugRandom = new Random(seed * 0x5DEECE66DL + 11);
        this.rnd = new Random(seed);
        this.net = new SimNetwork(new Random(seed * 7919 + 1));
        this.oracles = new Oracle[groups];
        for (int g = 0; g < groups; g++) {
            oracles[g] = new Oracle(n / 2 + 1, g);
        }
        this.leaseEpoch = new long[groups];
        this.maxMasterEpoch = new long[groups];
        this.progressIndex = new long[groups];
        Arrays.fill(progressIndex, -1);
        this.progressReplica = new int[groups];
        this.maxDrift = rnd.nextBoolean() ? 0.01 : 0.05;
        this.compaction = rnd.nextBoolean() || healthy;
        this.tickMs = rnd.nextInt(4) == 0 ? 5 : 20;
        net.loss = rnd.nextDouble() * 0.15;
        net.duplicate = rnd.nextDouble() * 0.05;
        net.maxDelay = 2 + rnd.nextInt(40);
        // Small jitter makes elections start right when the old lease promises lapse: the lease
        // margin is then all that keeps two masters from both believing they hold the lease.
        long jitter = 1 + rnd.nextInt(rnd.nextBoolean() ? 20 : 200);
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ids.add(i);
        }
        for (int id : ids) {
            PaxosConfig cfg = new PaxosConfig(id, ids, LEASE_MS, 300, maxDrift, jitter, 60,
                    1 + rnd.nextInt(32), 1 << 16, 1 + rnd.nextInt(4));
            // Often at the extremes of the bound: that is where a too-short lease margin shows.
            double skew = rnd.nextBoolean() ? (rnd.nextBoolean() ? 1 : -1) : rnd.nextDouble() * 2 - 1;
            double rate = 1 + skew * maxDrift * 0.999;
            SimReplica r = new SimReplica(id, new DriftingClock(rnd.nextInt(1_000_000), rate), cfg,
                    (seed * 31 + id) * 0x9E3779B97F4A7C15L, groups);
            replicas.add(r);
        }
        // Two seeds in three hold some messages for 1-5 s (several leases).
        net.longDelay = rnd.nextInt(3) == 0 ? 0 : 0.001 + rnd.nextDouble() * 0.02;
        if (healthy) {
            net.loss = 0;
            net.duplicate = 0;
            net.maxDelay = Math.min(net.maxDelay, 10);
            net.longDelay = 0;
        }
    }

    /**
     * Makes the fault phase step clocks forward beyond the drift bound once, at a random time (a
     * majority of replicas, never the lease holder, by 1.5-4 L at once). That is outside the model the lease argument assumes (CONSENSUS.md), so
     * the normal seeds never do it; such a run reports it in {@link Faults#outsideModel} and in
     * any failure message. Call before {@link #run}.
     */
    public Simulation beyondBoundClockJumps(boolean on) {
        this.beyondBound = on;
        return this;
    }

    /**
     * Off: a replica hands a message to a group's node without checking that it is that group's,
     * so only the effects of a misdelivery can show it (the sensitivity of the value-level
     * cross-talk check and the Paxos checks). Call before {@link #run}.
     */
    Simulation deliveryCheck(boolean on) {
        this.deliveryCheck = on;
        return this;
    }

    /** Groups per replica in this run. */
    public int groups() {
        return groups;
    }

    /** What the extended fault model injected (so far, or in the finished run). */
    public Faults faults() {
        return new Faults(pauses, net.longDelayed, faults.clockJumps, tornCrashes, faults.outsideModel, staleLateDeliveries,
                pausedHolders, resumedDeposed, tornPartial);
    }

    /** Every time a replica became master (so far, or in the finished run), in order. */
    public List<Mastership> masterships() {
        return List.copyOf(masterships);
    }

    /** Runs to completion; throws {@link AssertionError} naming the seed on any broken invariant. */
    public Result run() {
        try {
            for (SimReplica r : replicas) {
                r.start(0);
                schedule(1 + rnd.nextInt((int) tickMs), () -> tick(r));
            }
            schedule(10, this::client);
            if (healthy) {
                schedule(HEALTHY_FIRST_CRASH_MS + rnd.nextInt(500), this::fault);
                schedule(HEALTHY_PHASE_MS, this::heal);
            } else {
                schedule(100 + rnd.nextInt(500), this::fault);
                schedule(FAULT_PHASE_MS, this::heal);
            }
            if (beyondBound) {
                schedule(500 + rnd.nextInt((int) FAULT_PHASE_MS - 1000), faults::clockJumpBeyondBound);
            }
            while (!done && !queue.isEmpty()) {
                Event e = queue.poll();
                now = e.time;
                events++;
                e.action.run();
                checkLeases();
                if (healed && now > (healthy ? HEALTHY_PHASE_MS : FAULT_PHASE_MS) + PROGRESS_BOUND_MS) {
                    throw new SimulationFailure("no progress within " + PROGRESS_BOUND_MS + " ms after healing: "
                            + describe());
                }
            }
            int chosen = 0;
            for (Oracle o : oracles) {
                chosen += o.chosenCount();
            }
            return new Result(seed, replicas.size(), events, chosen, now, masters, crashes, snapshots, groups);
        } catch (SimulationFailure | IllegalStateException | IllegalArgumentException f) {
            String outside = faults.outsideModel == null ? "" : "OUTSIDE THE MODEL (" + faults.outsideModel + "): ";
            AssertionError err = new AssertionError(outside + "seed=" + seed + " replicas=" + replicas.size() + " groups="
                    + groups + " t=" + now + "ms: " + f.getMessage() + " (replay: -Dsim.seed=" + seed + " -Dsim.replicas="
                    + replicas.size() + " -Dsim.groups=" + groups + (beyondBound ? " with beyondBoundClockJumps" : "")
                    + (bug != PaxosPlantedBug.NONE ? " with planted " + bug : "") + ", see bundles/simulator/README.md)", f);
            throw err;
        }
    }

    // ------------------------------------------------------------------ driving replicas

    /** Every group is ticked with the same local time, then one loop pass. */
    private void tick(SimReplica r) {
        if (r.up() && !r.paused) {
            for (SimGroup g : r.groups) {
                g.node.tick(r.clock.local(now));
            }
            drain(r);
        }
        schedule(now + tickMs, () -> tick(r));
    }

    private void deliver(SimEnvelope env, boolean late) {
        if (late && env.message().ballot().epoch() < maxMasterEpoch[env.group()]) {
            staleLateDeliveries++;
        }
        deliver(env);
    }

    private void deliver(SimEnvelope env) {
        SimReplica r = replica(env.message().to());
        if (r.up() && r.paused) {
            r.inbox.add(env);
        } else if (r.up()) {
            trace("deliver " + env);
            route(r, env).step(env, r.clock.local(now), deliveryCheck);
            drain(r);
        }
    }

    /** The group of {@code r} a message is handed to: its own, unless {@link PaxosPlantedBug#GROUP_CROSSTALK} misroutes it. */
    private SimGroup route(SimReplica r, SimEnvelope env) {
        if (bug == PaxosPlantedBug.GROUP_CROSSTALK && groups > 1 && bugRandom.nextInt(50) == 0) {
            return r.group((env.group() + 1 + bugRandom.nextInt(groups - 1)) % groups);
        }
        return r.group(env.group());
    }

    /**
     * The edge's loop, GroupHost's pass: one Ready of every group that has one; every group's
     * requests out, one combined persist, answers, then per group apply and advance.
     */
    private void drain(SimReplica r) {
        if (r.pendingPass != null) { // resumed from a pause before this pass's persist
            List<SimReplica.GroupReady> pass = r.pendingPass;
            r.pendingPass = null;
            if (!finish(r, pass)) {
                return;
            }
        }
        for (int guard = 0; r.hasReady(); guard++) {
            if (guard > 1000) {
                throw new SimulationFailure("replica " + r.id + " produces Ready forever");
            }
            List<SimReplica.GroupReady> pass = new ArrayList<>();
            for (SimGroup g : r.groups) {
                if (g.node.hasReady()) {
                    Ready rd = g.node.ready();
                    if ((rd.promised() != null || !rd.entries().isEmpty()) && !rd.sync()) {
                        throw new SimulationFailure("acceptor state change without sync on replica " + r.id
                                + " group " + g.group);
                    }
                    pass.add(new SimReplica.GroupReady(g, rd));
                }
            }
            // Requests go out before the persist, as the real edge sends them (CORE-API.md step 0).
            for (SimReplica.GroupReady gr : pass) {
                for (Message m : gr.ready().messages()) {
                    if (!m.answersPeer()) {
                        send(gr.group().group, m);
                    }
                }
            }
            if (r.crashPoint == SimReplica.CrashPoint.BEFORE_PERSIST) {
                crash(r);
                return;
            }
            if (r.pauseAtPersistMs > 0 && r.pauseBeforePersist) {
                // Stopped after its requests went out, before its writes: the rest of this pass
                // (persist, answers, apply, advance) happens when it resumes.
                pause(r, r.pauseAtPersistMs);
                r.pendingPass = pass;
                return;
            }
            if (!finish(r, pass)) {
                return;
            }
        }
        checkDone();
    }

    /** One combined persist, answers, apply, advance; false when the replica crashed or paused on the way. */
    private boolean finish(SimReplica r, List<SimReplica.GroupReady> pass) {
        int records = 0;
        boolean sync = false;
        for (SimReplica.GroupReady gr : pass) {
            records += gr.records();
            sync |= gr.ready().sync();
        }
        if (r.crashPoint == SimReplica.CrashPoint.TORN && records >= 2) {
            // The power goes during a write of two or more records (a smaller one cannot tear):
            // no fsync, and crash() keeps what of it reached the disk.
            for (SimReplica.GroupReady gr : pass) {
                gr.group().storage.write(gr.ready().promised(), gr.ready().entries(), false);
            }
            r.wroteUnsynced(pass);
            tornCrashes++;
            crash(r);
            return false;
        }
        // One combined write: one fsync, if any group's batch asks for it, makes every group's writes durable.
        for (SimReplica.GroupReady gr : pass) {
            gr.group().storage.write(gr.ready().promised(), gr.ready().entries(), false);
        }
        if (sync) {
            for (SimGroup g : r.groups) {
                g.storage.fsync();
            }
            r.unsyncedWrites.clear();
        } else if (records > 0) {
            r.wroteUnsynced(pass);
        }
        for (SimReplica.GroupReady gr : pass) {
            for (Entry e : gr.ready().entries()) {
                oracles[gr.group().group].accepted(r.id, e);
            }
        }
        if (r.crashPoint == SimReplica.CrashPoint.AFTER_PERSIST) {
            crash(r);
            return false;
        }
        if (r.pauseAtPersistMs > 0) {
            pause(r, r.pauseAtPersistMs); // stopped between its writes and its answers
        }
        for (SimReplica.GroupReady gr : pass) {
            for (Message m : gr.ready().messages()) {
                if (m.answersPeer()) {
                    SimEnvelope env = new SimEnvelope(gr.group().group, m);
                    if (r.paused) {
                        r.held.add(env);
                    } else {
                        send(env);
                    }
                }
            }
        }
        for (SimReplica.GroupReady gr : pass) {
            applyAndAdvance(r, gr.group(), gr.ready());
        }
        // Paused: the answers above and any further pass wait for the resume.
        return !r.paused;
    }

    private void applyAndAdvance(SimReplica r, SimGroup g, Ready rd) {
        Oracle oracle = oracles[g.group];
        for (Entry e : rd.committed()) {
            oracle.applied(r.id, e);
            g.machine.apply(e.index(), e.epoch(), e.value());
            oracle.state(r.id, e.index(), g.machine.checksum());
            if (healed && progressIndex[g.group] > 0 && e.index() == progressIndex[g.group]
                    && r.id == progressReplica[g.group]) {
                trace("progress index " + progressIndex[g.group] + (groups > 1 ? " of group " + g.group : ""));
            }
        }
        for (int to : rd.needSnapshot()) {
            sendSnapshot(r, g, to);
        }
        if (rd.status() != null) {
            observeStatus(r, g, rd.status());
        }
        g.node.advance(rd);
        compact(g);
    }

    private void observeStatus(SimReplica r, SimGroup g, Ready.Status s) {
        trace("status r" + r.id + (groups > 1 ? " g" + g.group : "") + " " + s);
        if (s.epoch() != 0) {
            if (s.epoch() < g.maxEpoch) {
                throw new SimulationFailure("epoch went back on replica " + r.id + (groups > 1 ? " group " + g.group : "")
                        + ": " + s.epoch() + " < " + g.maxEpoch);
            }
            g.maxEpoch = s.epoch();
        }
        if (s.role() == io.chubby.paxos.core.Role.MASTER) {
            masters++;
            masterships.add(new Mastership(r.id, s.epoch(), now, -1, g.group));
            maxMasterEpoch[g.group] = Math.max(maxMasterEpoch[g.group], s.epoch());
        }
    }

    private void compact(SimGroup g) {
        KvStateMachine m = g.machine;
        if (m.appliedIndex() - m.durableIndex() >= 25) {
            m.makeDurable();
            if (compaction) {
                g.storage.truncateBefore(m.durableIndex() - 10 + 1);
            }
        }
    }

    private void send(int group, Message m) {
        send(new SimEnvelope(group, m));
    }

    private void send(SimEnvelope env) {
        int copies = net.copies(env.message().from(), env.message().to(), now);
        for (int i = 0; i < copies; i++) {
            int delay = net.delay();
            boolean late = delay >= net.longDelayMin && net.longDelay > 0;
            schedule(now + delay, () -> deliver(env, late));
        }
    }

    private void sendSnapshot(SimReplica from, SimGroup g, int to) {
        if (from.paused) {
            return; // best effort: the core flags the follower again
        }
        KvStateMachine.Image img = g.machine.image();
        if (net.copies(from.id, to, now) > 0) {
            schedule(now + net.delay() + 5, () -> installSnapshot(replica(to), g.group, img));
        }
    }

    private void installSnapshot(SimReplica r, int group, KvStateMachine.Image img) {
        SimGroup g = r.group(group);
        if (!r.up() || r.paused || img.appliedIndex() <= g.node.appliedIndex()) {
            return;
        }
        trace("snapshot r" + r.id + (groups > 1 ? " g" + group : "") + " at " + img.appliedIndex());
        snapshots++;
        g.machine.install(img);
        g.storage.truncateBefore(img.appliedIndex() + 1);
        oracles[group].state(r.id, img.appliedIndex(), img.checksum());
        g.node.snapshotInstalled(img.appliedIndex());
        drain(r);
        if (healthy) {
            // Installing (and making durable) a large snapshot keeps the edge's loop busy: peer
            // messages wait in its inbox and the node is not ticked until it is done.
            pause(r, 1 + rnd.nextInt((int) LEASE_MS));
        }
    }

    // ------------------------------------------------------------------ clients and checks

    /** Every replica gets a proposal in every group it can serve (values tagged with the group), then one loop pass. */
    private void client() {
        for (SimReplica r : replicas) {
            boolean proposed = false;
            for (SimGroup g : r.groups) {
                if (r.up() && !r.paused && g.node.canServe(r.clock.local(now))) {
                    byte[] v = GroupTags.tag(g.group, "k" + rnd.nextInt(16) + "=v" + (++clientSeq));
                    long idx = g.node.propose(v, r.clock.local(now));
                    if (healed && progressIndex[g.group] < 0 && idx > 0) {
                        progressIndex[g.group] = idx;
                        progressReplica[g.group] = r.id;
                    }
                    proposed = true;
                }
            }
            if (proposed) {
                drain(r);
            }
        }
        schedule(now + 10 + rnd.nextInt(60), this::client);
    }

    /** Per group: at most one replica may believe it holds a valid lease at any true instant; lease epochs grow. */
    private void checkLeases() {
        for (int g = 0; g < groups; g++) {
            checkLeases(g);
        }
    }

    private void checkLeases(int group) {
        SimReplica holder = null;
        for (SimReplica r : replicas) {
            if (r.up() && r.group(group).node.leaseValid(r.clock.local(now))) {
                if (holder != null) {
                    throw new SimulationFailure("two valid leases" + (groups > 1 ? " in group " + group : "") + ": replica "
                            + holder.id + " epoch " + holder.group(group).node.epoch() + " and replica " + r.id + " epoch "
                            + r.group(group).node.epoch());
                }
                holder = r;
            }
        }
        if (holder != null) {
            long e = holder.group(group).node.epoch();
            for (int i = masterships.size() - 1; i >= 0; i--) {
                Mastership m = masterships.get(i);
                if (m.replica() == holder.id && m.group() == group && m.epoch() == e) {
                    if (!m.served()) {
                        masterships.set(i, new Mastership(m.replica(), e, m.at(), now, group));
                    }
                    break;
                }
            }
            if (e < leaseEpoch[group]) {
                throw new SimulationFailure("lease epoch went back" + (groups > 1 ? " in group " + group : "") + ": " + e
                        + " after " + leaseEpoch[group]);
            }
            leaseEpoch[group] = e;
        }
    }

    /** After healing: in every group, a proposal made after healing is applied by every replica. */
    private void checkDone() {
        if (!healed) {
            return;
        }
        for (int g = 0; g < groups; g++) {
            if (progressIndex[g] < 0) {
                return;
            }
            for (SimReplica r : replicas) {
                if (!r.up() || r.group(g).machine.appliedIndex() < progressIndex[g]) {
                    return;
                }
            }
        }
        done = true;
    }

    // ------------------------------------------------------------------ faults

    private void fault() {
        if (healed) {
            return;
        }
        if (healthy) {
            faults.crashAFollower();
        } else {
            faults.injectOne();
        }
        schedule(now + 100 + rnd.nextInt(900), this::fault);
    }

    /**
     * A crash of every group of {@code r}. With one group, any prefix of the unsynced records
     * reaches the disk (a torn batch: harsher than a JE transaction, and the model before issue
     * 18). With more, what reaches it is a prefix of the unsynced combined writes, each whole or
     * not at all, as one JE transaction per write ({@code LogStores.writeAll}) is: consistent
     * across groups.
     */
    void crash(SimReplica r) {
        int unsynced;
        int reached;
        int[] kept;
        if (groups == 1) {
            unsynced = r.group(0).storage.unsyncedRecords();
            reached = unsynced == 0 ? 0 : rnd.nextInt(unsynced + 1);
            kept = new int[] {reached};
        } else {
            unsynced = r.unsyncedWrites.size();
            reached = unsynced == 0 ? 0 : rnd.nextInt(unsynced + 1);
            kept = r.recordsOfFirst(reached);
        }
        trace("crash r" + r.id + (unsynced == 0 ? "" : " (" + reached + " of " + unsynced + " unsynced "
                + (groups == 1 ? "writes" : "combined writes") + " reached the disk)"));
        crashes++;
        if (reached > 0 && reached < unsynced) {
            tornPartial++;
        }
        r.stop();
        for (SimGroup g : r.groups) {
            for (Entry e : g.crash(kept[g.group])) {
                oracles[g.group].accepted(r.id, e); // on the disk: as accepted as a synced entry, answered or not
            }
        }
        schedule(now + 200 + rnd.nextInt(2000), () -> restart(r));
    }

    private void restart(SimReplica r) {
        if (!r.up()) {
            trace("restart r" + r.id);
            r.start(now);
            if (healthy) {
                // Each peer's link to it was closed by the crash and reconnects after that peer's
                // backoff; until then what the peer sends to it is dropped.
                for (SimReplica p : replicas) {
                    if (p != r) {
                        long lag = rnd.nextInt((int) (2 * LEASE_MS));
                        net.downUntil(p.id, r.id, now + lag);
                        trace("link r" + p.id + "->r" + r.id + " up in " + lag + " ms");
                    }
                }
            }
            drain(r);
        }
    }

    void restartOne() {
        for (SimReplica r : replicas) {
            if (!r.up()) {
                restart(r);
                return;
            }
        }
    }

    /** Stops {@code r} (a GC pause, SIGSTOP) for {@code ms}; its clock runs on meanwhile. */
    void pause(SimReplica r, long ms) {
        if (!r.up() || r.paused) {
            return;
        }
        trace("pause r" + r.id + " for " + ms + " ms");
        pauses++;
        if (r.holdsALease(now)) {
            pausedHolders++;
        }
        r.paused = true;
        r.pauseAtPersistMs = 0;
        long token = ++r.pauseToken;
        schedule(now + ms, () -> resume(r, token));
    }

    private void resume(SimReplica r, long token) {
        if (!r.up() || !r.paused || r.pauseToken != token) {
            return; // crashed meanwhile (a crash ends the pause), or already resumed
        }
        trace("resume r" + r.id + " (" + r.inbox.size() + " messages waiting)");
        r.paused = false;
        for (SimGroup g : r.groups) {
            if (g.node.epoch() < maxMasterEpoch[g.group]) {
                resumedDeposed++;
                break;
            }
        }
        List<SimEnvelope> answers = new ArrayList<>(r.held);
        r.held.clear();
        for (SimEnvelope env : answers) {
            send(env);
        }
        drain(r); // the rest of the loop pass it was stopped in
        List<SimEnvelope> waiting = new ArrayList<>(r.inbox);
        r.inbox.clear();
        for (SimEnvelope env : waiting) {
            deliver(env); // queues again if the replica paused (or drops if it crashed) on the way
        }
    }

    private void heal() {
        healed = true;
        net.healAll();
        net.loss = 0;
        net.duplicate = 0;
        net.maxDelay = Math.min(net.maxDelay, 10);
        net.longDelay = 0; // messages already held still arrive late
        for (SimReplica r : replicas) {
            r.crashPoint = SimReplica.CrashPoint.NONE;
            r.pauseAtPersistMs = 0;
            resume(r, r.pauseToken);
            restart(r);
        }
    }

    // ------------------------------------------------------------------ helpers

    private void schedule(long at, Runnable action) {
        queue.add(new Event(at, seq++, action));
    }

    private SimReplica replica(int id) {
        return replicas.get(id - 1);
    }

    private String describe() {
        StringBuilder b = new StringBuilder();
        for (SimReplica r : replicas) {
            b.append(" r").append(r.id);
            if (r.up()) {
                for (SimGroup g : r.groups) {
                    b.append(groups > 1 ? "g" + g.group : "").append('[').append(g.node.role()).append(" m=")
                            .append(g.node.masterId()).append(" e=").append(g.node.epoch()).append(" c=")
                            .append(g.node.commitIndex()).append(" a=").append(g.machine.appliedIndex()).append(" p=")
                            .append(g.node.promised()).append(']');
                }
            } else {
                b.append("[down]");
            }
        }
        return b + " progressIndex=" + (groups == 1 ? String.valueOf(progressIndex[0]) : Arrays.toString(progressIndex));
    }

    void trace(String s) {
        if (trace) {
            System.out.println(now + " " + s);
        }
    }
}
