package io.chubby.sim;

import io.chubby.paxos.core.Configuration;
import io.chubby.paxos.core.PaxosConfig;
import java.util.ArrayList;
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
 * per group (see {@link Oracle} and {@link PaxosChecks}), plus no cross-talk between groups. The
 * groups of a replica share its fate as GroupHost's do: one loop pass takes one Ready of every
 * group and writes them in one combined write (one fsync), a crash or pause stops every group, and
 * they share its clock and links (a partition cuts every group). Single-threaded; the outcome is a
 * pure function of (seed, replicas, groups), {@link #beyondBoundClockJumps} and {@link #plantedBug}.
 * This class sets a run up and drives its event queue and clients; the replicas' loop is
 * {@link ReplicaLoop}, what faults do is {@link Outages} (which ones come, {@link FaultInjector}),
 * planted handoffs are {@link Handoffs}, the checks are {@link PaxosChecks} and an {@link Oracle}
 * per group.
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
     * Planted handoffs (half the seeds, see {@code Handoffs}): {@code handoffs} masters asked to
     * hand off, of which {@code handoffsCompleted} sent Handoff and stepped down,
     * {@code handoffsGivenUp} served again after L, {@code handoffsInterrupted} crashed or lost
     * mastership first; of the one asked after healing, {@code fastTakeovers} (its target held the
     * next lease within L/2 of the completion) or {@code slowTakeovers} (later, or another replica
     * did; {@code slowestTakeoverMs} the longest).
     */
    public record Faults(int pauses, long longDelays, int clockJumps, int tornCrashes, String outsideModel,
                         long staleLateDeliveries, int pausedHolders, int resumedDeposed, int tornPartial,
                         int handoffs, int handoffsCompleted, int handoffsGivenUp, int handoffsInterrupted,
                         int fastTakeovers, int slowTakeovers, long slowestTakeoverMs) {
        /** A run without handoffs (the 1.3 shape). */
        public Faults(int pauses, long longDelays, int clockJumps, int tornCrashes, String outsideModel,
                      long staleLateDeliveries, int pausedHolders, int resumedDeposed, int tornPartial) {
            this(pauses, longDelays, clockJumps, tornCrashes, outsideModel, staleLateDeliveries, pausedHolders,
                    resumedDeposed, tornPartial, 0, 0, 0, 0, 0, 0, 0);
        }
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
    final long tickMs;

    private final long seed;
    final Random rnd;
    final List<SimReplica> replicas = new ArrayList<>();
    final SimNetwork net;
    /** Per group. */
    private final Oracle[] oracles;
    private final int groups;
    final PaxosPlantedBug bug;
    /** Draws the planted bug's misdeliveries (a generator of its own: the run is otherwise as without the bug). */
    final Random bugRandom;
    /** Whether a replica checks that a message it hands a group's node is of that group. */
    boolean deliveryCheck = true;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    final double maxDrift;
    final boolean compaction;
    /** {@link #restartsInAHealthyCell}: only followers crash; restarts and snapshot installs take real-world time. */
    final boolean healthy;
    private final boolean trace;
    private long seq;
    long now;
    private long events;
    private long clientSeq;
    boolean healed;
    /** Set once a proposal made after healing is applied everywhere: the run ends. */
    boolean done;
    private boolean beyondBound;
    final FaultInjector injector = new FaultInjector(this);
    final ReplicaLoop loop = new ReplicaLoop(this);
    final Outages outages = new Outages(this);
    final PaxosChecks checks;
    final Handoffs handoffs;
    /** Membership changes during the fault phase ({@link #withMembershipChanges}); null in other runs. */
    final MembershipChanges membership;

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
        return new Simulation(seed, n, trace, true, 1, PaxosPlantedBug.NONE, 0);
    }

    /**
     * A fault run (as {@link #Simulation(long, int, boolean, int)}) whose cell changes its members
     * while the faults go on (CORE-API.md "Changing the members"): {@code n} initial members and
     * {@link MembershipChanges#JOINERS} more replicas that start in no configuration; every group's
     * master is asked, every 0.1-0.5 s of the fault phase, to add a replica (as a learner first,
     * promoted once caught up; proposed early sometimes, which the core must refuse) or to remove one (itself included), one at a
     * time, down to {@link MembershipChanges#minimum}. No planted handoffs. The oracle decides
     * chosen values by the configuration governing each slot; every other check is as in any run.
     */
    public static Simulation withMembershipChanges(long seed, int n, boolean trace, int groups) {
        return new Simulation(seed, n, trace, false, groups, PaxosPlantedBug.NONE, MembershipChanges.JOINERS);
    }

    private Simulation(long seed, int n, boolean trace, boolean healthy, int groups, PaxosPlantedBug bug) {
        this(seed, n, trace, healthy, groups, bug, 0);
    }

    private Simulation(long seed, int n, boolean trace, boolean healthy, int groups, PaxosPlantedBug bug,
                       int joiners) {
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
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ids.add(i);
        }
        for (int g = 0; g < groups; g++) {
            oracles[g] = new Oracle(Configuration.of(ids), g);
        }
        this.checks = new PaxosChecks(this, groups);
        this.handoffs = new Handoffs(this, seed, n, groups, joiners == 0);

        this.maxDrift = rnd.nextBoolean() ? 0.01 : 0.05;
        this.compaction = rnd.nextBoolean() || healthy;
        this.tickMs = rnd.nextInt(4) == 0 ? 5 : 20;
        net.loss = rnd.nextDouble() * 0.15;
        net.duplicate = rnd.nextDouble() * 0.05;
        net.maxDelay = 2 + rnd.nextInt(40);
        // Small jitter makes elections start right when the old lease promises lapse: the lease
        // margin is then all that keeps two masters from both believing they hold the lease.
        long jitter = 1 + rnd.nextInt(rnd.nextBoolean() ? 20 : 200);
        for (int id = 1; id <= n + joiners; id++) {
            List<Integer> initial = new ArrayList<>(ids);
            if (id > n) {
                initial.add(id); // PaxosConfig wants self listed; its configuration is NONE (below)
            }
            PaxosConfig cfg = new PaxosConfig(id, initial, LEASE_MS, 300, maxDrift, jitter, 60,
                    1 + rnd.nextInt(32), 1 << 16, 1 + rnd.nextInt(4));
            // Often at the extremes of the bound: that is where a too-short lease margin shows.
            double skew = rnd.nextBoolean() ? (rnd.nextBoolean() ? 1 : -1) : rnd.nextDouble() * 2 - 1;
            double rate = 1 + skew * maxDrift * 0.999;
            Configuration start = joiners == 0 ? null : id > n ? Configuration.NONE : Configuration.of(ids);
            SimReplica r = new SimReplica(id, new DriftingClock(rnd.nextInt(1_000_000), rate), cfg,
                    (seed * 31 + id) * 0x9E3779B97F4A7C15L, groups, start);
            replicas.add(r);
        }
        this.membership = joiners == 0 ? null : new MembershipChanges(this, seed, n, n + joiners);
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
        return new Faults(outages.pauses, net.longDelayed, injector.clockJumps, loop.tornCrashes, injector.outsideModel,
                loop.staleLateDeliveries, outages.pausedHolders, outages.resumedDeposed, outages.tornPartial,
                handoffs.started, handoffs.completed, handoffs.givenUp, handoffs.interrupted, handoffs.fastTakeovers,
                handoffs.slowTakeovers, handoffs.slowestTakeoverMs);
    }

    /**
     * What the membership changes of a {@link #withMembershipChanges} run did: learners added,
     * configuration entries proposed, of which removing the proposing master itself, configuration
     * entries chosen (all groups), and the final configuration of group 0.
     */
    public record Membership(int learnersAdded, int proposed, int removedMasters, int chosen, String finalOfGroup0) {
    }

    /** The membership changes of this run (all zero unless {@link #withMembershipChanges}). */
    public Membership membership() {
        int chosen = 0;
        for (Oracle o : oracles) {
            chosen += o.configurationsChosen();
        }
        return membership == null ? new Membership(0, 0, 0, 0, oracles[0].configuration().toString())
                : new Membership(membership.learnersAdded, membership.proposed, membership.removedMasters, chosen,
                        oracles[0].configuration().toString());
    }

    /** Every time a replica became master (so far, or in the finished run), in order. */
    public List<Mastership> masterships() {
        return List.copyOf(checks.masterships);
    }

    /** Runs to completion; throws {@link AssertionError} naming the seed on any broken invariant. */
    public Result run() {
        try {
            for (SimReplica r : replicas) {
                r.start(0);
                schedule(1 + rnd.nextInt((int) tickMs), () -> loop.tick(r));
            }
            schedule(10, this::client);
            if (healthy) {
                schedule(HEALTHY_FIRST_CRASH_MS + rnd.nextInt(500), outages::fault);
                schedule(HEALTHY_PHASE_MS, outages::heal);
            } else {
                schedule(100 + rnd.nextInt(500), outages::fault);
                schedule(FAULT_PHASE_MS, outages::heal);
            }
            if (beyondBound) {
                schedule(500 + rnd.nextInt((int) FAULT_PHASE_MS - 1000), injector::clockJumpBeyondBound);
            } else if (!healthy && handoffs.on()) {
                handoffs.schedule(FAULT_PHASE_MS);
            }
            if (membership != null) {
                membership.start();
            }
            while (!done && !queue.isEmpty()) {
                Event e = queue.poll();
                now = e.time;
                events++;
                e.action.run();
                checks.checkLeases();
                handoffs.check();
                if (healed && now > (healthy ? HEALTHY_PHASE_MS : FAULT_PHASE_MS) + PROGRESS_BOUND_MS) {
                    throw new SimulationFailure("no progress within " + PROGRESS_BOUND_MS + " ms after healing: "
                            + describe());
                }
            }
            int chosen = 0;
            for (Oracle o : oracles) {
                chosen += o.chosenCount();
            }
            return new Result(seed, replicas.size(), events, chosen, now, checks.masters, outages.crashes, loop.snapshots,
                    groups);
        } catch (SimulationFailure | IllegalStateException | IllegalArgumentException f) {
            String outside = injector.outsideModel == null ? "" : "OUTSIDE THE MODEL (" + injector.outsideModel + "): ";
            String prefix = membership == null ? "sim" : "msim";
            int initial = membership == null ? replicas.size() : replicas.size() - MembershipChanges.JOINERS;
            AssertionError err = new AssertionError(outside + "seed=" + seed + " replicas=" + initial + " groups="
                    + groups + " t=" + now + "ms: " + f.getMessage() + " (replay: -D" + prefix + ".seed=" + seed + " -D"
                    + prefix + ".replicas=" + initial + " -D" + prefix + ".groups=" + groups
                    + (membership != null ? " in MembershipSimulationTest" : "")
                    + (beyondBound ? " with beyondBoundClockJumps" : "")
                    + (bug != PaxosPlantedBug.NONE ? " with planted " + bug : "") + ", see bundles/simulator/README.md)", f);
            throw err;
        }
    }

    // ------------------------------------------------------------------ clients

    /** Every replica gets a proposal in every group it can serve (values tagged with the group), then one loop pass. */
    private void client() {
        for (SimReplica r : replicas) {
            boolean proposed = false;
            for (SimGroup g : r.groups) {
                if (r.up() && !r.paused && g.node.canServe(r.clock.local(now))) {
                    byte[] v = GroupTags.tag(g.group, "k" + rnd.nextInt(16) + "=v" + (++clientSeq));
                    long idx = g.node.propose(v, r.clock.local(now));
                    if (healed && checks.progressIndex[g.group] < 0 && idx > 0) {
                        checks.progressIndex[g.group] = idx;
                        checks.progressReplica[g.group] = r.id;
                    }
                    proposed = true;
                }
            }
            if (proposed) {
                loop.drain(r);
            }
        }
        schedule(now + 10 + rnd.nextInt(60), this::client);
    }

    // ------------------------------------------------------------------ helpers

    void schedule(long at, Runnable action) {
        queue.add(new Event(at, seq++, action));
    }

    SimReplica replica(int id) {
        return replicas.get(id - 1);
    }

    Oracle oracle(int group) {
        return oracles[group];
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
                            .append(g.node.promised())
                            .append(membership == null ? "" : " cfg=" + g.node.committedConfiguration().members()
                                    + "/" + g.node.configuration().members() + " last=" + g.node.lastIndex())
                            .append(']');
                }
            } else {
                b.append("[down]");
            }
        }
        return b + " progressIndex=" + checks.progressIndexes();
    }

    void trace(String s) {
        if (trace) {
            System.out.println(now + " " + s);
        }
    }
}
