package io.chubby.sim;

import io.chubby.api.NodePath;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.paxos.core.Configuration;
import io.chubby.paxos.core.Message;
import io.chubby.paxos.core.PaxosConfig;
import io.chubby.spi.Member;
import io.chubby.testkit.HashPartitioner;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A deterministic run of a whole cell: N replicas (the Paxos core and the real session-mgr cell
 * edge, see {@link SimCellReplica}) and a few {@link SimClient}s (sessions, KeepAlives, cached
 * reads, writes, locks, sequencers, ephemeral files) on a virtual clock, through a seeded fault
 * phase ({@link CellFaults}: crashes at any point of a loop pass, torn writes, partitions,
 * lost / duplicated / reordered / long-delayed peer messages, process pauses past the lease,
 * clock rate changes within the drift bound, client crashes and cut-offs), then healing: every
 * client must get work done again and every replica must converge. {@link CellChecks} and the
 * Paxos {@link Oracle} are checked after every event. In a third of the seeds one client never
 * acknowledges invalidations (issue 25, {@link SimClient}): no write may wait for it longer than a
 * lease. Single-threaded; a run is a pure function of its seed.
 */
public final class CellSimulation {

    /** What a finished run did. */
    public record Result(long seed, int replicas, int clients, long events, long endTime, int masterships,
                         int crashes, int snapshots, long reads, long cachedReads, long writes, long lockGrants,
                         long sequencerChecks, int sessionsExpired, int faults, int nonAcknowledging, int cacheDrops,
                         long longestHolderWaitMillis, boolean acl, long aclDenials, long aclGuardRefusals,
                         int partitions, long mkdirs, long rmdirs, long rmdirsNotEmpty, long fileCreates,
                         long fileDeletes, long crossCalls, long aclCopies, long aclGatedElsewhere,
                         long ephemeralDirOpens, long ephemeralDirCloses, long sessionsLetGo,
                         long ephemeralDirChildren, long ephemeralDirsReaped, int lapsesKeepingProposals,
                         long proposalsKeptAcrossLapses) {
    }

    private record Event(long time, long seq, Runnable action) {
    }

    static final long FAULT_PHASE_MS = 6_000;
    static final long CLIENT_PHASE_AFTER_HEAL_MS = 8_000;
    static final long CONVERGE_BOUND_MS = 25_000;
    static final double MAX_DRIFT = 0.01;
    /**
     * The cell edge's settings: 2 s session leases, lengthened by the lease policy at 3 KeepAlives/s
     * (a handful of sessions raise the lease ceiling, and a later master may lower it), 3 s at most
     * (a takeover's session lease), answered 300 ms early. A new master drops a silent session's
     * claims at the ceiling plus its margin (2.34 s at a 2 s ceiling) when that comes before the
     * session's 3 s lease end: both paths are exercised.
     */
    static final CellSettings SETTINGS = new CellSettings("sim", 1024, 2_000, 3_000, 300, 0, 0, 3);
    /** The longest a write may wait for one cache holder: the longest lease, plus two timer ticks. */
    static final long HOLDER_WAIT_BOUND_MS = SETTINGS.maxLeaseMillis() + 2 * SimCellReplica.CELL_TICK_MS;

    private final long seed;
    final PlantedBug bug;
    final Random rnd;
    final List<SimCellReplica> replicas = new ArrayList<>();
    final List<SimClient> clients = new ArrayList<>();
    final SimNetwork net;
    /** The cell's number of partitions (Paxos groups per replica), drawn per seed by {@link #partitionsFor}. */
    final int partitions;
    /** The group the clients' workload (every node, all children of the root) lives in: the root's children's partition. */
    final int workloadGroup;
    /** One oracle per group; {@link #paxos} is the workload group's, which the cell checks consult. */
    private final List<Oracle> oracles = new ArrayList<>();
    final Oracle paxos;
    /** Whether the record of {@link #partitions} was applied on some replica (always, in a cell of one partition). */
    boolean partitionsRecorded;
    final CellChecks checks = new CellChecks(this);
    /** The master lease checks (at most one valid lease per group, epochs grow). */
    private final LeaseChecks leaseChecks = new LeaseChecks(this);
    /** The directory workload's checks (cells of more than one partition). */
    final DirectoryChecks dirChecks = new DirectoryChecks(this);
    /** The directories of the directory workload (none with one partition). */
    final SimDirectories dirs;
    /** The register clients (the test's client count); the directory workload's clients come after them. */
    final int registerClients;
    /** The channel between groups' masters over the virtual network (directory intents). */
    final SimCrossCalls cross = new SimCrossCalls(this);
    final CellFaults faults;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final long tickMs;
    final boolean compaction;
    private final int registers;
    /** Whether this seed runs access control ({@link SimAcl}): clients are principals, replicas decide. */
    final boolean acl;
    final SimAcl authorizer;
    /** The access-control check of the partitions other than the workload's (their ACL copies). */
    final AclCopyChecks aclChecks = new AclCopyChecks(this);
    private final int locks;
    private final boolean trace;
    private long seq;
    long now;
    private long events;
    int masterships;
    int crashes;
    int snapshots;
    int sessionsExpired;
    int cacheDrops;
    /** Masters whose lease lapsed at the same epoch with proposals pending, which they kept ({@link SimCellGroup#publish}). */
    int lapsesKeepingProposals;
    /** The proposals those lapses kept. */
    long proposalsKeptAcrossLapses;
    boolean healed;
    private boolean clientsStopped;
    private boolean done;
    /** Peer messages get this much extra delay with some probability while a delay storm lasts. */
    long stormUntil;
    /** How the clients reach the replicas: their connections, cuts and isolations. */
    final ClientNetwork clientNetwork;

    public CellSimulation(long seed, int n, int clientCount, boolean trace) {
        this(seed, n, clientCount, trace, PlantedBug.NONE);
    }

    /** A run with a deliberate bug switched on (the checks' self-test). */
    public CellSimulation(long seed, int n, int clientCount, boolean trace, PlantedBug bug) {
        this.bug = bug;
        this.seed = seed;
        this.trace = trace;
        this.rnd = new Random(seed);
        this.net = new SimNetwork(new Random(seed * 7919 + 1));
        this.partitions = partitionsFor(seed);
        this.workloadGroup = new HashPartitioner(partitions).partitionOfChildren(NodePath.root(NodePath.LOCAL_CELL));
        for (int g = 0; g < partitions; g++) {
            oracles.add(new Oracle(Configuration.of(ids(n))));
        }
        this.paxos = oracles.get(workloadGroup);
        this.partitionsRecorded = partitions == 1;
        this.compaction = rnd.nextBoolean();
        this.tickMs = rnd.nextBoolean() ? 10 : 20;
        this.registers = 2 + rnd.nextInt(3);
        this.locks = 1 + rnd.nextInt(2);
        net.loss = rnd.nextDouble() * 0.10;
        net.duplicate = rnd.nextDouble() * 0.05;
        net.maxDelay = 2 + rnd.nextInt(30);
        long jitter = 1 + rnd.nextInt(rnd.nextBoolean() ? 20 : 200);
        List<Integer> ids = new ArrayList<>();
        List<Member> members = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ids.add(i);
            members.add(new Member(i, "10.0.0." + i, 7000 + i, 7100 + i));
        }
        for (int id : ids) {
            PaxosConfig cfg = new PaxosConfig(id, ids, 1000, 300, MAX_DRIFT, jitter, 60, 1 + rnd.nextInt(32),
                    1 << 16, 1 + rnd.nextInt(4));
            double rate = rate();
            replicas.add(new SimCellReplica(this, id, List.copyOf(members), cfg, SETTINGS,
                    new DriftingClock(rnd.nextInt(1_000_000), rate), new DriftingClock(rnd.nextInt(50), rate),
                    (seed * 31 + id) * 0x9E3779B97F4A7C15L));
        }
        // Drawn from a generator of its own, so the rest of a seed's run stays as it was without it.
        Random mix = new Random(seed * 0x9E3779B97F4A7C15L + 25);
        int silent = mix.nextInt(3) == 0 ? 1 + mix.nextInt(clientCount) : 0;
        this.acl = mix.nextBoolean();
        this.authorizer = new SimAcl(partitions > 1 ? SimAcl.ACL_GATE : SimAcl.REGISTER_GATE);
        // A, the partition of the ACL files (the gate of a partitioned cell), is the workload's group with the
        // reference hash: SimCellGroup checks A's gate in the watched group
        int aclGroup = new HashPartitioner(partitions).partitionOfChildren(NodePath.parse("/ls/local/acl"));
        if (aclGroup != workloadGroup) {
            throw new IllegalStateException("the gate /acl/gate must live with the registers: the ACL files' "
                    + "partition is " + aclGroup + ", the workload's " + workloadGroup);
        }
        for (int c = 1; c <= clientCount; c++) {
            clients.add(new SimClient(this, c, new DriftingClock(rnd.nextInt(1_000_000), rate()),
                    (seed * 131 + c) * 0xC2B2AE3D27D4EB4FL, c != silent));
        }
        this.registerClients = clientCount;
        this.dirs = partitions > 1 ? SimDirectories.spread(partitions, workloadGroup) : SimDirectories.NONE;
        if (partitions > 1) {
            directoryClients(new Random(seed * 0x9E3779B97F4A7C15L + 10));
        }
        this.clientNetwork = new ClientNetwork(this, clients.size());
        this.faults = new CellFaults(this);
    }

    /**
     * The directory workload's clients: one that creates and deletes the directories (its session
     * on the workload group) and three that create and delete files in them (each on the partition
     * of one directory's children, so with N = 2 two clients share two directories).
     */
    private void directoryClients(Random dr) {
        int id = clients.size();
        clients.add(new SimClient(this, ++id, new DriftingClock(dr.nextInt(1_000_000), rate(dr)),
                dr.nextLong(), true, workloadGroup, SimClient.Role.DIRECTORIES));
        for (int k = 0; k < 3; k++) {
            clients.add(new SimClient(this, ++id, new DriftingClock(dr.nextInt(1_000_000), rate(dr)),
                    dr.nextLong(), true, dirs.childrenPartition(k), SimClient.Role.FILES));
        }
    }

    /**
     * The number of partitions of seed {@code seed}'s cell, from a generator of its own so that a
     * seed of one partition runs exactly as before partitions: half the seeds 1, three eighths 2,
     * an eighth 4. With the reference hash the root's children live in group 0 at N = 2 and in
     * group 2 at N = 4, so the workload runs in a group other than 0 (reached through an anchor of
     * the root) in the N = 4 seeds.
     */
    public static int partitionsFor(long seed) {
        int draw = new Random(seed * 0x9E3779B97F4A7C15L + 18).nextInt(8);
        return draw < 4 ? 1 : draw < 7 ? 2 : 4;
    }

    Oracle oracle(int group) {
        return oracles.get(group);
    }

    /** A clock rate within the drift bound, often at its extremes. */
    double rate() {
        return rate(rnd);
    }

    private static double rate(Random r) {
        double skew = r.nextBoolean() ? (r.nextBoolean() ? 1 : -1) : r.nextDouble() * 2 - 1;
        return 1 + skew * MAX_DRIFT * 0.999;
    }

    /** Runs to completion; throws {@link AssertionError} naming the seed on any broken invariant. */
    public Result run() {
        bug.arm();
        try {
            for (SimCellReplica r : replicas) {
                r.start();
                at(1 + rnd.nextInt((int) tickMs), () -> tick(r));
                at(1 + rnd.nextInt(50), () -> cellTick(r));
            }
            for (SimClient c : clients) {
                at(50 + rnd.nextInt(200), c::start);
            }
            at(300 + rnd.nextInt(500), this::fault);
            if (partitions > 1) {
                at(1, this::recordPartitions);
            }
            at(FAULT_PHASE_MS, this::heal);
            at(FAULT_PHASE_MS + CLIENT_PHASE_AFTER_HEAL_MS, this::stopClients);
            while (!done && !queue.isEmpty()) {
                Event e = queue.poll();
                now = e.time;
                events++;
                e.action.run();
                leaseChecks.afterEvent();
                checks.afterEvent();
                if (partitions > 1) {
                    dirChecks.afterEvent();
                }
                if (clientsStopped && converged()) {
                    done = true;
                } else if (now > FAULT_PHASE_MS + CONVERGE_BOUND_MS) {
                    throw new SimulationFailure("the replicas did not converge within " + CONVERGE_BOUND_MS
                            + " ms of healing:" + describe() + (partitions > 1 ? dirChecks.reapsOwed() : ""));
                }
            }
            for (SimCellReplica r : replicas) {
                checks.holderWaits(r);
            }
            if (partitions > 1) {
                dirChecks.atQuiescence();
            }
            checks.finish();
            return new Result(seed, replicas.size(), registerClients, events, now, masterships, crashes, snapshots,
                    checks.reads, checks.cachedReads, checks.writesOk, checks.lockGrants, checks.sequencerChecks,
                    sessionsExpired, faults.injected, (int) clients.stream().filter(c -> !c.acknowledges).count(),
                    cacheDrops, checks.longestHolderWaitMillis, acl, checks.aclDenials, checks.aclGuardRefusals,
                    partitions, dirChecks.mkdirs, dirChecks.rmdirs, dirChecks.notEmpty, dirChecks.fileCreates,
                    dirChecks.fileDeletes, cross.sent(), aclChecks.copiesApplied, aclChecks.gatedApplied,
                    dirChecks.ephemeralOpens, dirChecks.ephemeralCloses, dirChecks.sessionsLetGo,
                    dirChecks.ephemeralChildren, dirChecks.ephemeralsReaped, lapsesKeepingProposals,
                    proposalsKeptAcrossLapses);
        } catch (SimulationFailure | IllegalStateException | IllegalArgumentException | ClassCastException
                 | NullPointerException | IndexOutOfBoundsException f) {
            throw new AssertionError("seed=" + seed + " replicas=" + replicas.size() + " clients=" + registerClients
                    + " partitions=" + partitions + " t=" + now + "ms: " + f + " (replay: -Dcellsim.seed=" + seed + " -Dcellsim.replicas="
                    + replicas.size() + " -Dcellsim.clients=" + registerClients
                    + ", see bundles/simulator/README.md)", f);
        } finally {
            PlantedBug.disarm();
        }
    }

    // ------------------------------------------------------------------ scheduling

    void at(long time, Runnable action) {
        queue.add(new Event(Math.max(time, now), seq++, action));
    }

    private void tick(SimCellReplica r) {
        if (r.up() && !r.paused()) {
            r.tick();
        }
        at(now + tickMs, () -> tick(r));
    }

    private void cellTick(SimCellReplica r) {
        if (r.up() && !r.paused()) {
            r.cellTick();
        }
        at(now + SimCellReplica.CELL_TICK_MS, () -> cellTick(r));
    }

    SimCellReplica replica(int id) {
        return replicas.get(id - 1);
    }

    int replicaCount() {
        return replicas.size();
    }

    int registers() {
        return registers;
    }

    int locks() {
        return locks;
    }

    /** Register k; register 0 is the ACL file {@link SimAcl#ACL_GATE} in a partitioned seed with access control. */
    String registerPath(int k) {
        return k == 0 && acl && partitions > 1 ? SimAcl.ACL_GATE : "/r" + k;
    }

    String lockPath(int k) {
        return "/l" + k;
    }

    // ------------------------------------------------------------------ peers

    void send(int group, Message m) {
        int copies = net.copies(m.from(), m.to());
        for (int i = 0; i < copies; i++) {
            long delay = net.delay();
            if (now < stormUntil && rnd.nextInt(3) == 0) {
                delay += 500 + rnd.nextInt(2_500); // arrives after the next election
            }
            at(now + delay, () -> deliver(group, m));
        }
    }

    private void deliver(int group, Message m) {
        SimCellReplica r = replica(m.to());
        if (!r.up()) {
            return;
        }
        if (r.paused()) {
            at(r.pausedUntil, () -> deliver(group, m));
            return;
        }
        trace(group == 0 ? "deliver " + m : "deliver g" + group + " " + m);
        r.deliver(group, m);
    }

    void sendSnapshot(int from, int to, Runnable install) {
        if (net.copies(from, to) > 0) {
            at(now + net.delay() + 5, install);
        }
    }

    void crash(SimCellReplica r) {
        trace("crash r" + r.id);
        crashes++;
        r.crash();
        at(now + 200 + rnd.nextInt(2000), () -> restart(r));
    }

    void restart(SimCellReplica r) {
        if (!r.up()) {
            trace("restart r" + r.id);
            r.start();
        }
    }

    // ------------------------------------------------------------------ phases

    /**
     * A cell of more than one partition: asks the master of group 0 to record N (as an operator's
     * {@code cell up --partitions} will) until some replica applied it; clients start looking for
     * the master only then ({@link SimClient}), since the record is refused once a session exists.
     */
    private void recordPartitions() {
        for (SimCellReplica r : replicas) {
            if (r.up() && r.host != null && r.host.partitions().count() == partitions) {
                partitionsRecorded = true;
                return;
            }
        }
        for (SimCellReplica r : replicas) {
            if (r.up() && !r.paused() && r.node(0) != null && r.group(0).consensus.isMaster()) {
                r.host.recordPartitions(partitions).exceptionally(e -> null);
            }
        }
        at(now + 50, this::recordPartitions);
    }

    private void fault() {
        if (healed) {
            return;
        }
        faults.injectOne();
        at(now + 200 + rnd.nextInt(800), this::fault);
    }

    private void heal() {
        healed = true;
        net.healAll();
        clientNetwork.healClients();
        net.loss = 0;
        net.duplicate = 0;
        net.maxDelay = Math.min(net.maxDelay, 10);
        stormUntil = 0;
        for (SimCellReplica r : replicas) {
            r.crashPoint = SimCellReplica.CrashPoint.NONE;
            r.resumeBy(now);
            restart(r);
        }
        for (SimClient c : clients) {
            clientNetwork.endIsolation(c);
            if (c.crashed) {
                c.start();
            }
        }
    }

    private void stopClients() {
        for (SimClient c : clients) {
            if (!c.crashed && c.completedAfterHeal == 0 && !(c.safe() && !c.held.isEmpty())) { // a hold is work too
                throw new SimulationFailure("client " + c.id + " got nothing done in the " + CLIENT_PHASE_AFTER_HEAL_MS
                        + " ms after healing (session " + c.session + ", jeopardy " + c.jeopardy + ")" + describe());
            }
            c.stopped = true;
        }
        clientsStopped = true;
    }

    private boolean converged() {
        for (int g = 0; g < partitions; g++) {
            long applied = -1;
            long sum = 0;
            for (SimCellReplica r : replicas) {
                if (!r.up() || r.node(g) == null) {
                    return false;
                }
                var m = r.group(g).machine;
                long a = m.appliedIndex();
                if (applied >= 0 && (a != applied || m.checksum() != sum)) {
                    return false;
                }
                applied = a;
                sum = m.checksum();
            }
        }
        // directory intents end, and owed reaps come, once their groups' masters talk
        return partitions == 1 || dirChecks.quiescent();
    }

    // ------------------------------------------------------------------ diagnostics

    String describe() {
        StringBuilder b = new StringBuilder();
        for (SimCellReplica r : replicas) {
            b.append(" r").append(r.id);
            if (r.up() && r.node != null) {
                b.append('[').append(r.node.role()).append(" m=").append(r.node.masterId()).append(" e=")
                        .append(r.node.epoch()).append(" c=").append(r.node.commitIndex()).append(" a=")
                        .append(r.machine.appliedIndex()).append(r.paused() ? " paused" : "").append(']');
            } else {
                b.append("[down]");
            }
        }
        return b.toString();
    }

    boolean tracing() {
        return trace;
    }

    void trace(String s) {
        if (trace) {
            System.out.println(now + " " + s);
        }
    }

    private static List<Integer> ids(int n) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ids.add(i);
        }
        return ids;
    }
}
