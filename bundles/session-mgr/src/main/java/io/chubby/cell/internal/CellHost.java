package io.chubby.cell.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.PartitionHash;
import io.chubby.cell.internal.cross.CrossCalls;
import io.chubby.cell.internal.cross.CrossEndpoint;
import io.chubby.cell.internal.cross.LocalCrossCalls;
import io.chubby.cell.internal.cross.PeerCrossCalls;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.Partitions;
import io.chubby.cell.internal.state.Result;
import io.chubby.spi.AdminShell;
import io.chubby.spi.Authorizer;
import io.chubby.spi.ChangeListener;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.Consensus;
import io.chubby.spi.Partitioner;
import io.chubby.spi.ConsensusGroups;
import io.chubby.spi.RequestFilter;
import io.chubby.spi.RequestHandler;
import io.chubby.spi.StateStore;
import io.chubby.spi.StateStores;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's cell as one {@link CellServer} per open Paxos group (docs/PARTITIONING.md step 7).
 * Group 0 is the {@link Consensus} service's and its state the {@link StateStore} service's: with
 * N = 1 the host is exactly the single server of before. The recorded number of partitions N is
 * read from group 0's applied state ({@code meta} {@code partitions}, absent = 1) at
 * {@link #start()}, and learnt from group 0's apply (or a snapshot install) when it appears; groups
 * 1..N-1 are then opened through {@link ConsensusGroups} over their {@link StateStores} view, each
 * with its own state machine, master memory and lease timer. A replica lagging in group 0 opens
 * them when it catches up.
 *
 * <p>Client requests are routed by {@link CellRouter} (step 9): in a cell of one partition to
 * group 0's server, as before; in a partitioned cell to the group {@code Request.partition} names,
 * with the node's partition checked by the bound {@link Partitioner} ({@link HostPartitioning}). Request
 * filters, authorizers and the admin shell are given to every group's server ({@link Plugins});
 * change listeners hear group 0's feed.
 *
 * <p>Cross-group steps (docs/PARTITIONING.md 4.4) leave through a {@link PeerCrossCalls} (to this
 * host's group when it masters the target, else over {@link ConsensusGroups#sendCross} to the replica
 * believed to master it) and arrive at a {@link CrossEndpoint}, the cross handler of
 * {@link ConsensusGroups}, which answers through {@link #crossStep}.
 *
 * <p>Threads: groups are opened on the host's own thread ({@code chubby-cell-host}), never on the
 * consensus apply thread that reports the record (opening registers a state machine with the
 * consensus, which the apply thread must not wait for); start, stop and opening hold one lock.
 */
public final class CellHost implements RequestHandler {
    private static final Logger log = LoggerFactory.getLogger(CellHost.class);
    /**
     * How long a cross call to another replica waits for its answer before it fails and is sent
     * again at a later timer step (the whole-cell simulator's channel waits as long).
     */
    static final long CROSS_TIMEOUT_MS = 1000;

    private final Consensus groupZero;
    private final StateStore groupZeroStore;
    private final ConsensusGroups groups;
    private final StateStores stores;
    private final CellSettings settings;
    private final Clock clock;
    private final Random secrets;
    private final Plugins plugins = new Plugins();
    private final Map<Integer, CellServer> servers = new ConcurrentSkipListMap<>();
    /** Where groups are opened when group 0's apply reports a record: {@link #ownOpener}, or the caller's. */
    private final Executor opener;
    /** The host's own thread ({@code chubby-cell-host}), or null when the caller gave an executor. */
    private final ExecutorService ownOpener;
    private final Object lifecycle = new Object();
    /** The groups of this host, as a cross call reaches them (the default channel, and crossStep's). */
    private final LocalCrossCalls local = new LocalCrossCalls(this::localTarget);
    /** The cross-group channel on the peer links: to this host's groups, or to the replica mastering the group. */
    private final PeerCrossCalls peerCalls;
    /** Its receiving end, the handler of the cross-group messages consensus delivers. */
    private final CrossEndpoint crossEndpoint;
    /** How a group's master reaches another group's: by default {@link #peerCalls}. */
    private volatile CrossCalls cross;
    private boolean stopped; // guarded by lifecycle
    /** Group 0's partitions record as last applied or loaded here (read on every call: no state lock). */
    private volatile Partitions recorded = Partitions.ONE;
    private final HostPartitioning partitioning;
    private final CellRouter router;
    private final PartitionRecorder recorder = new PartitionRecorder(this);

    public CellHost(Consensus groupZero, StateStore groupZeroStore, ConsensusGroups groups, StateStores stores,
                    CellSettings settings, Clock clock, Random secrets) {
        this(groupZero, groupZeroStore, groups, stores, settings, clock, secrets, null);
    }

    /**
     * A host that opens the groups a newly applied record names on {@code opener} instead of its own
     * thread: the whole-cell simulator passes one that queues the opening as an event of its virtual
     * clock, so a run stays a pure function of its seed. The executor must not run the task on the
     * caller's stack (the caller is group 0's apply, which the opening registers a state machine
     * beside); null = the host's own thread, as in the product.
     */
    public CellHost(Consensus groupZero, StateStore groupZeroStore, ConsensusGroups groups, StateStores stores,
                    CellSettings settings, Clock clock, Random secrets, Executor opener) {
        if (opener == null) {
            this.ownOpener = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "chubby-cell-host");
                t.setDaemon(true);
                return t;
            });
            this.opener = ownOpener;
        } else {
            this.ownOpener = null;
            this.opener = opener;
        }
        this.groupZero = groupZero;
        this.groupZeroStore = groupZeroStore;
        this.groups = groups;
        this.stores = stores;
        this.settings = settings;
        this.clock = clock;
        this.secrets = secrets;
        this.partitioning = new HostPartitioning(this, settings.cellName(), () -> recorder.refusal());
        this.router = new CellRouter(this, partitioning);
        this.peerCalls = new PeerCrossCalls(groupZero.self().id(), local, this::masterOf, groups::sendCross,
                CROSS_TIMEOUT_MS);
        this.crossEndpoint = new CrossEndpoint(peerCalls, this::crossStep, () -> recorded.count(), this::masterOf,
                groups::sendCross);
        this.cross = peerCalls;
    }

    /** Starts group 0's server, then every other group the record names. */
    public void start() {
        synchronized (lifecycle) {
            CellServer zero = new CellServer(groupZero, groupZeroStore, settings, clock, secrets,
                    GroupRole.groupZero(this::recorded, partitioning));
            plugins.applyTo(zero);
            zero.ceilingAllowed(this::everyMemberAppliesLeaseCeilings);
            zero.crossCalls((g, step) -> cross.call(g, step));
            zero.afterTick(() -> recorder.tick(partitioning.bound()));
            servers.put(0, zero);
            groups.crossHandler(crossEndpoint::onMessage);
            zero.start();
            recorded = zero.partitions();
            openGroups(recorded);
        }
    }

    /** Stops every group's server (the groups stay open in consensus, as group 0 does). */
    public void stop() {
        synchronized (lifecycle) {
            stopped = true;
        }
        groups.crossHandler(null);
        if (ownOpener != null) {
            ownOpener.shutdownNow();
            try {
                ownOpener.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lifecycle) {
            List<Integer> open = List.copyOf(servers.keySet());
            for (int i = open.size() - 1; i >= 0; i--) {
                servers.get(open.get(i)).stop();
            }
            servers.clear();
        }
    }

    /** This host's server of group {@code g} as a cross-call target, or null when the group is not open here. */
    LocalCrossCalls.Target localTarget(int g) {
        CellServer s = servers.get(g);
        return s == null ? null : s.crossTarget();
    }

    /** The peer channel's call timeout (tests: a lossy network with a short one). */
    void crossTimeoutMillis(long millis) {
        peerCalls.timeoutMillis(millis);
    }

    /** Cross calls of the peer channel waiting for a reply. */
    int crossCallsWaiting() {
        return peerCalls.waiting();
    }

    /** The master of group {@code g} this replica's consensus names, or 0 (none known, or the group not open here). */
    private int masterOf(int g) {
        CellServer s = servers.get(g);
        return s == null ? 0 : s.consensus().masterId();
    }

    /**
     * Routes the groups' cross calls through {@code calls} instead of the peer links (tests: one
     * channel over the hosts of several replicas in one JVM; the whole-cell simulator: its virtual
     * network). Public for the simulator, which lives in another package.
     */
    public void crossCalls(CrossCalls calls) {
        this.cross = calls;
    }

    /**
     * The receiving end of a cross call: proposes {@code step} in group {@code group} if this host
     * masters it, else fails NOT_MASTER, exactly as {@link LocalCrossCalls} does for the groups of
     * one host. The whole-cell simulator (another package) joins its replicas' hosts with it: a
     * group's master reaches another group's master on another replica over its virtual network.
     */
    public CompletableFuture<Result> crossStep(int group, Command step) {
        return local.call(group, step);
    }

    /** Apply thread of group 0: the partitions record appeared (or was loaded): open the groups on our own thread. */
    private void recorded(Partitions p) {
        recorded = p;
        try {
            opener.execute(() -> {
                synchronized (lifecycle) {
                    openGroups(p);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("host stopping: groups of {} not opened", p);
        }
    }

    /** Holds lifecycle: opens groups 1..N-1 not yet served here. */
    private void openGroups(Partitions p) {
        if (stopped) {
            return;
        }
        CellServer zero = servers.get(0);
        for (int g = 1; g < p.count(); g++) {
            if (servers.containsKey(g)) {
                continue;
            }
            try {
                CellServer s = new CellServer(groups.open(g), stores.group(g), settings, clock, secrets,
                        GroupRole.member(g, zero::secret, p, partitioning));
                plugins.applyTo(s);
                s.ceilingAllowed(this::everyMemberAppliesLeaseCeilings);
                s.crossCalls((g2, step) -> cross.call(g2, step));
                servers.put(g, s);
                s.start();
                log.info("group opened group={} partitions={} hash={}", g, p.count(), p.hashName());
            } catch (RuntimeException e) {
                servers.remove(g);
                log.error("opening group {} of {} failed; it is opened again when the record is next read", g,
                        p.count(), e);
            }
        }
    }

    /** Whether every other member announced peer 1.4 (its cell applies SetLeaseCeiling). */
    private boolean everyMemberAppliesLeaseCeilings() {
        return PeerMinorRule.lacking(groupZero.members(), groupZero.self().id(), groups.peerMinors(),
                PeerMinorRule.MINOR_FOR_LEASE_CEILING).isEmpty();
    }

    /**
     * Proposes {@code SetPartitions(n)} with the reference hash, as the group-0 master does once
     * every member speaks the grouped peer messages. In the product {@link PartitionRecorder} calls
     * it on group 0's timer while the partitioning bundle's partitioner of N > 1 is bound (step 14);
     * tests and the whole-cell simulator call it directly (public for the latter, in another
     * package). Fails NOT_MASTER off the group-0
     * master, CELL_UNAVAILABLE (nothing proposed) while a member has not announced peer 1.3, and
     * with apply's INVALID_ARGUMENT when the cell holds data or recorded another N.
     */
    public CompletableFuture<Void> recordPartitions(int n) {
        if (!groupZero.isMaster()) {
            return CompletableFuture.failedFuture(new ChubbyException(ErrorCode.NOT_MASTER,
                    "only the master of group 0 records the partitions"));
        }
        List<Integer> lacking = PeerMinorRule.lacking(groupZero.members(), groupZero.self().id(),
                groups.peerMinors());
        if (!lacking.isEmpty()) {
            return CompletableFuture.failedFuture(ChubbyException.of(ErrorCode.CELL_UNAVAILABLE, "members %s have "
                    + "not announced peer 1.%d (the grouped peer messages): partitions are recorded only on a cell "
                    + "where every replica runs this version", lacking, PeerMinorRule.MINOR_FOR_GROUPS));
        }
        return servers.get(0).propose(new Command.SetPartitions(n, PartitionHash.NAME, PartitionHash.SLOTS))
                .thenAccept(r -> {
                    if (r instanceof Result.Failed f) {
                        throw f.exception(); // refused by apply: the typed error of the rule it broke
                    }
                });
    }

    // ------------------------------------------------------------------ what the host serves

    /** The server of group {@code group}, or null when that group is not open here. */
    public CellServer server(int group) {
        return servers.get(group);
    }

    /** The groups served here, in increasing order. */
    public List<Integer> openGroups() {
        return List.copyOf(servers.keySet());
    }

    /** How the cell is partitioned, as group 0's applied state records it. */
    public Partitions partitions() {
        return recorded;
    }

    // ------------------------------------------------------------------ the partitioner (routing only)

    /** Binds the partitioning bundle's partitioner: used while its N and hash equal the recorded ones. */
    public void bindPartitioner(Partitioner p) {
        partitioning.bind(p);
    }

    /** Unbinds {@code p} unless another one replaced it already. */
    public void unbindPartitioner(Partitioner p) {
        partitioning.unbind(p);
    }

    /** How calls are routed in a partitioned cell: N and hash, or why node calls are refused; null for one partition. */
    public String routing() {
        return partitioning.routing();
    }

    /** Group 0's server: the cell's status, namespace view and change feed (its calls come through the router). */
    public CellServer groupZero() {
        CellServer zero = servers.get(0);
        if (zero == null) {
            throw new IllegalStateException("the cell host is not started");
        }
        return zero;
    }

    // ------------------------------------------------------------------ plug-ins, to every group

    public void addFilter(RequestFilter filter, int ranking, long serviceId) {
        everyGroup(p -> p.addFilter(filter, ranking, serviceId), s -> s.addFilter(filter, ranking, serviceId));
    }

    public void removeFilter(RequestFilter filter) {
        everyGroup(p -> p.removeFilter(filter), s -> s.removeFilter(filter));
    }

    public void addAuthorizer(Authorizer authorizer, int ranking, long serviceId) {
        everyGroup(p -> p.addAuthorizer(authorizer, ranking, serviceId),
                s -> s.addAuthorizer(authorizer, ranking, serviceId));
    }

    public void removeAuthorizer(Authorizer authorizer) {
        everyGroup(p -> p.removeAuthorizer(authorizer), s -> s.removeAuthorizer(authorizer));
    }

    public void setAdminShell(AdminShell shell) {
        everyGroup(p -> p.setAdminShell(shell), s -> s.setAdminShell(shell));
    }

    public void unsetAdminShell(AdminShell shell) {
        synchronized (lifecycle) {
            if (plugins.unsetAdminShell(shell)) {
                servers.values().forEach(s -> s.unsetAdminShell(shell));
            }
        }
    }

    /** Change listeners hear group 0's feed (one log's order). */
    public void addChangeListener(ChangeListener listener) {
        synchronized (lifecycle) {
            plugins.addChangeListener(listener);
            groupZero().addChangeListener(listener);
        }
    }

    public void removeChangeListener(ChangeListener listener) {
        synchronized (lifecycle) {
            plugins.removeChangeListener(listener);
            groupZero().removeChangeListener(listener);
        }
    }

    /** Remembers a plug-in change for groups opened later and makes it on every open group's server. */
    private void everyGroup(Consumer<Plugins> remember, Consumer<CellServer> change) {
        synchronized (lifecycle) {
            remember.accept(plugins);
            servers.values().forEach(change);
        }
    }

    // ------------------------------------------------------------------ RequestHandler

    @Override
    public Greeting greeting() {
        return groupZero().greeting();
    }

    @Override
    public void connected(ClientConnection connection) {
        groupZero().connected(connection);
    }

    @Override
    public void request(ClientConnection connection, byte[] request) {
        router.route(connection, request);
    }

    @Override
    public void disconnected(ClientConnection connection) {
        groupZero().disconnected(connection);
    }

    @Override
    public byte[] leavingNotice() {
        return groupZero().leavingNotice();
    }
}
