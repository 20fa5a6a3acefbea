package io.chubby.sim;

import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.Message;
import io.chubby.paxos.core.PaxosConfig;
import io.chubby.paxos.core.PaxosNode;
import io.chubby.paxos.core.Ready;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A deterministic run of an N-replica cell: a seeded fault phase (loss, duplication, reordering,
 * delay, messages held for seconds, partitions incl. one-way, crash-restart, mid-batch crashes that
 * tear the unsynced writes, process pauses past the lease, clock drift and forward clock steps
 * within the drift bound), then healing, after which the cell must commit a new proposal and every
 * replica must catch up within a bound. Invariants are checked after every event (see
 * {@link Oracle} and {@link #checkLeases}). Single-threaded; the outcome is a pure function of
 * (seed, replicas) and {@link #beyondBoundClockJumps}.
 */
public final class Simulation {

    /** What a finished run did. */
    public record Result(long seed, int replicas, long events, int chosen, long endTime, int masters, int crashes,
                         int snapshots) {
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
     * A replica became master (reported role MASTER) at true time {@code at} with {@code epoch};
     * {@code servedAt} is the first true instant at which it held a valid lease, -1 if it never
     * did (a master that loses a duel at once never does).
     */
    public record Mastership(int replica, long epoch, long at, long servedAt) {
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
    private final Oracle oracle;
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
    private long leaseEpoch;
    private int masters;
    private long clientSeq;
    private boolean healed;
    private long progressIndex = -1;
    private int progressReplica;
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
    /** Highest epoch any replica was master in so far. */
    private long maxMasterEpoch;

    public Simulation(long seed, int n, boolean trace) {
        this(seed, n, trace, false);
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
     */
    public static Simulation restartsInAHealthyCell(long seed, int n, boolean trace) {
        return new Simulation(seed, n, trace, true);
    }

    private Simulation(long seed, int n, boolean trace, boolean healthy) {
        this.seed = seed;
        this.healthy = healthy;
        this.trace = trace;
        this.rnd = new Random(seed);
        this.net = new SimNetwork(new Random(seed * 7919 + 1));
        this.oracle = new Oracle(n / 2 + 1);
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
            SimReplica r = new SimReplica(id, new DriftingClock(rnd.nextInt(1_000_000), rate), cfg, (seed * 31 + id) * 0x9E3779B97F4A7C15L);
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
            return new Result(seed, replicas.size(), events, oracle.chosenCount(), now, masters, crashes, snapshots);
        } catch (SimulationFailure | IllegalStateException | IllegalArgumentException f) {
            String outside = faults.outsideModel == null ? "" : "OUTSIDE THE MODEL (" + faults.outsideModel + "): ";
            AssertionError err = new AssertionError(outside + "seed=" + seed + " replicas=" + replicas.size() + " t=" + now
                    + "ms: " + f.getMessage() + " (replay: -Dsim.seed=" + seed + " -Dsim.replicas=" + replicas.size()
                    + (beyondBound ? " with beyondBoundClockJumps" : "") + ", see bundles/simulator/README.md)", f);
            throw err;
        }
    }

    // ------------------------------------------------------------------ driving replicas

    private void tick(SimReplica r) {
        if (r.up() && !r.paused) {
            r.node.tick(r.clock.local(now));
            drain(r);
        }
        schedule(now + tickMs, () -> tick(r));
    }

    private void deliver(Message m, boolean late) {
        if (late && m.ballot().epoch() < maxMasterEpoch) {
            staleLateDeliveries++;
        }
        deliver(m);
    }

    private void deliver(Message m) {
        SimReplica r = replica(m.to());
        if (r.up() && r.paused) {
            r.inbox.add(m);
        } else if (r.up()) {
            trace("deliver " + m);
            r.node.step(m, r.clock.local(now));
            drain(r);
        }
    }

    /** The edge's loop: send requests, persist, send answers, apply, advance. */
    private void drain(SimReplica r) {
        PaxosNode node = r.node;
        if (r.pendingReady != null) { // resumed from a pause before this Ready's persist
            Ready rd = r.pendingReady;
            r.pendingReady = null;
            if (!finish(r, rd)) {
                return;
            }
        }
        for (int guard = 0; node.hasReady(); guard++) {
            if (guard > 1000) {
                throw new SimulationFailure("replica " + r.id + " produces Ready forever");
            }
            Ready rd = node.ready();
            if ((rd.promised() != null || !rd.entries().isEmpty()) && !rd.sync()) {
                throw new SimulationFailure("acceptor state change without sync on replica " + r.id);
            }
            // Requests go out before the persist, as the real edge sends them (CORE-API.md step 0).
            for (Message m : rd.messages()) {
                if (!m.answersPeer()) {
                    send(m);
                }
            }
            if (r.crashPoint == SimReplica.CrashPoint.BEFORE_PERSIST) {
                crash(r);
                return;
            }
            if (r.pauseAtPersistMs > 0 && r.pauseBeforePersist) {
                // Stopped after its requests went out, before its writes: the rest of this Ready
                // (persist, answers, apply, advance) happens when it resumes.
                pause(r, r.pauseAtPersistMs);
                r.pendingReady = rd;
                return;
            }
            if (!finish(r, rd)) {
                return;
            }
        }
        checkDone();
    }

    /** Persist, answers, apply, advance; false when the replica crashed or paused on the way. */
    private boolean finish(SimReplica r, Ready rd) {
        if (r.crashPoint == SimReplica.CrashPoint.TORN && (rd.promised() != null ? 1 : 0) + rd.entries().size() >= 2) {
            // The power goes during a write of two or more records (a smaller one cannot tear):
            // no fsync, and crash() keeps a random prefix of it.
            r.storage.write(rd.promised(), rd.entries(), false);
            tornCrashes++;
            crash(r);
            return false;
        }
        r.storage.write(rd.promised(), rd.entries(), rd.sync());
        for (Entry e : rd.entries()) {
            oracle.accepted(r.id, e);
        }
        if (r.crashPoint == SimReplica.CrashPoint.AFTER_PERSIST) {
            crash(r);
            return false;
        }
        if (r.pauseAtPersistMs > 0) {
            pause(r, r.pauseAtPersistMs); // stopped between its writes and its answers
        }
        for (Message m : rd.messages()) {
            if (m.answersPeer()) {
                if (r.paused) {
                    r.held.add(m);
                } else {
                    send(m);
                }
            }
        }
        for (Entry e : rd.committed()) {
            oracle.applied(r.id, e);
            r.machine.apply(e.index(), e.epoch(), e.value());
            oracle.state(r.id, e.index(), r.machine.checksum());
            if (healed && progressIndex > 0 && e.index() == progressIndex && r.id == progressReplica) {
                trace("progress index " + progressIndex);
            }
        }
        for (int to : rd.needSnapshot()) {
            sendSnapshot(r, to);
        }
        if (rd.status() != null) {
            observeStatus(r, rd.status());
        }
        r.node.advance(rd);
        compact(r);
        // Paused: the answers above and any further Ready wait for the resume.
        return !r.paused;
    }

    private void observeStatus(SimReplica r, Ready.Status s) {
        trace("status r" + r.id + " " + s);
        if (s.epoch() != 0) {
            if (s.epoch() < r.maxEpoch) {
                throw new SimulationFailure("epoch went back on replica " + r.id + ": " + s.epoch() + " < " + r.maxEpoch);
            }
            r.maxEpoch = s.epoch();
        }
        if (s.role() == io.chubby.paxos.core.Role.MASTER) {
            masters++;
            masterships.add(new Mastership(r.id, s.epoch(), now, -1));
            maxMasterEpoch = Math.max(maxMasterEpoch, s.epoch());
        }
    }

    private void compact(SimReplica r) {
        KvStateMachine m = r.machine;
        if (m.appliedIndex() - m.durableIndex() >= 25) {
            m.makeDurable();
            if (compaction) {
                r.storage.truncateBefore(m.durableIndex() - 10 + 1);
            }
        }
    }

    private void send(Message m) {
        int copies = net.copies(m.from(), m.to(), now);
        for (int i = 0; i < copies; i++) {
            int delay = net.delay();
            boolean late = delay >= net.longDelayMin && net.longDelay > 0;
            schedule(now + delay, () -> deliver(m, late));
        }
    }

    private void sendSnapshot(SimReplica from, int to) {
        if (from.paused) {
            return; // best effort: the core flags the follower again
        }
        KvStateMachine.Image img = from.machine.image();
        if (net.copies(from.id, to, now) > 0) {
            schedule(now + net.delay() + 5, () -> installSnapshot(replica(to), img));
        }
    }

    private void installSnapshot(SimReplica r, KvStateMachine.Image img) {
        if (!r.up() || r.paused || img.appliedIndex() <= r.node.appliedIndex()) {
            return;
        }
        trace("snapshot r" + r.id + " at " + img.appliedIndex());
        snapshots++;
        r.machine.install(img);
        r.storage.truncateBefore(img.appliedIndex() + 1);
        oracle.state(r.id, img.appliedIndex(), img.checksum());
        r.node.snapshotInstalled(img.appliedIndex());
        drain(r);
        if (healthy) {
            // Installing (and making durable) a large snapshot keeps the edge's loop busy: peer
            // messages wait in its inbox and the node is not ticked until it is done.
            pause(r, 1 + rnd.nextInt((int) LEASE_MS));
        }
    }

    // ------------------------------------------------------------------ clients and checks

    private void client() {
        for (SimReplica r : replicas) {
            if (r.up() && !r.paused && r.node.canServe(r.clock.local(now))) {
                byte[] v = ("k" + rnd.nextInt(16) + "=v" + (++clientSeq)).getBytes(StandardCharsets.UTF_8);
                long idx = r.node.propose(v, r.clock.local(now));
                if (healed && progressIndex < 0 && idx > 0) {
                    progressIndex = idx;
                    progressReplica = r.id;
                }
                drain(r);
            }
        }
        schedule(now + 10 + rnd.nextInt(60), this::client);
    }

    /** At most one replica may believe it holds a valid lease at any true instant; lease epochs grow. */
    private void checkLeases() {
        SimReplica holder = null;
        for (SimReplica r : replicas) {
            if (r.up() && r.node.leaseValid(r.clock.local(now))) {
                if (holder != null) {
                    throw new SimulationFailure("two valid leases: replica " + holder.id + " epoch " + holder.node.epoch()
                            + " and replica " + r.id + " epoch " + r.node.epoch());
                }
                holder = r;
            }
        }
        if (holder != null) {
            long e = holder.node.epoch();
            for (int i = masterships.size() - 1; i >= 0; i--) {
                Mastership m = masterships.get(i);
                if (m.replica() == holder.id && m.epoch() == e) {
                    if (!m.served()) {
                        masterships.set(i, new Mastership(m.replica(), e, m.at(), now));
                    }
                    break;
                }
            }
            if (e < leaseEpoch) {
                throw new SimulationFailure("lease epoch went back: " + e + " after " + leaseEpoch);
            }
            leaseEpoch = e;
        }
    }

    /** After healing: a proposal made after healing is applied by its master and every replica. */
    private void checkDone() {
        if (!healed || progressIndex < 0) {
            return;
        }
        for (SimReplica r : replicas) {
            if (!r.up() || r.machine.appliedIndex() < progressIndex) {
                return;
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

    void crash(SimReplica r) {
        int unsynced = r.storage.unsyncedRecords();
        int reached = unsynced == 0 ? 0 : rnd.nextInt(unsynced + 1);
        trace("crash r" + r.id + (unsynced == 0 ? "" : " (" + reached + " of " + unsynced + " unsynced writes reached the disk)"));
        crashes++;
        if (reached > 0 && reached < unsynced) {
            tornPartial++;
        }
        for (Entry e : r.crash(reached)) {
            oracle.accepted(r.id, e); // on the disk: as accepted as a synced entry, answered or not
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
        if (r.node.leaseValid(r.clock.local(now))) {
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
        if (r.node.epoch() < maxMasterEpoch) {
            resumedDeposed++;
        }
        List<Message> answers = new ArrayList<>(r.held);
        r.held.clear();
        for (Message m : answers) {
            send(m);
        }
        drain(r); // the rest of the loop pass it was stopped in
        List<Message> waiting = new ArrayList<>(r.inbox);
        r.inbox.clear();
        for (Message m : waiting) {
            deliver(m); // queues again if the replica paused (or drops if it crashed) on the way
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
                b.append('[').append(r.node.role()).append(" m=").append(r.node.masterId()).append(" e=")
                        .append(r.node.epoch()).append(" c=").append(r.node.commitIndex()).append(" a=")
                        .append(r.machine.appliedIndex()).append(" p=").append(r.node.promised()).append(']');
            } else {
                b.append("[down]");
            }
        }
        return b + " progressIndex=" + progressIndex;
    }

    void trace(String s) {
        if (trace) {
            System.out.println(now + " " + s);
        }
    }
}
