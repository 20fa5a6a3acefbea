package io.chubby.cell.internal;

import io.chubby.cell.internal.calls.CallRouter;
import io.chubby.cell.internal.master.CellSecret;
import io.chubby.cell.internal.master.Mastership;
import io.chubby.cell.internal.master.Wire;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.replica.ChangeFeed;
import io.chubby.cell.internal.replica.PartitionedNamespaceView;
import io.chubby.cell.internal.replica.StateSessions;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.Partitions;
import io.chubby.cell.internal.state.Result;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.Request;
import io.chubby.protocol.StatusReply;
import io.chubby.spi.AdminShell;
import io.chubby.spi.Authorizer;
import io.chubby.spi.ChangeListener;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.Consensus;
import io.chubby.spi.NamespaceView;
import io.chubby.spi.SessionView;
import io.chubby.spi.RequestFilter;
import io.chubby.spi.RequestHandler;
import io.chubby.spi.StateMachine;
import io.chubby.spi.StateStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's cell, assembled: the replicated state ({@link CellStateMachine}, registered with
 * {@link Consensus}), its change feed and namespace view, the master's memory and duties
 * ({@link Mastership}) and the request router ({@link CallRouter}), plus the lease timer. It is
 * the {@link RequestHandler} a client acceptor serves. Usable without OSGi (tests, simulation,
 * benchmarks): construct, {@link #start()}, {@link #stop()}; under OSGi {@link CellComponent}
 * wraps it.
 *
 * <p>Threads: transport threads call {@link #request}; the consensus apply thread calls the state
 * machine and the mastership listener; a timer thread ({@code chubby-cell-timer}) calls
 * {@link #tick} every {@code tickMillis} (none when 0: tests tick by hand).
 */
public final class CellServer implements RequestHandler {
    private static final Logger log = LoggerFactory.getLogger(CellServer.class);

    private final Consensus consensus;
    private final CellSettings settings;
    private final GroupRole role;
    private final CellStateMachine machine;
    private final ChangeFeed feed;
    private final PartitionedNamespaceView namespace;
    private final StateSessions sessions;
    private final Mastership master;
    private final CallRouter router;
    private final AtomicLong localFilterIds = new AtomicLong(Long.MAX_VALUE / 2);
    private ScheduledExecutorService timer;
    /** Run after each timer step: the cell host's duties of group 0 (recording the partitions). */
    private volatile Runnable afterTick = () -> { };

    public CellServer(Consensus consensus, StateStore store, CellSettings settings, Clock clock) {
        this(consensus, store, settings, clock, new SecureRandom());
    }

    /** As above, with the source of a new cell's secret (seeded by the simulator). */
    public CellServer(Consensus consensus, StateStore store, CellSettings settings, Clock clock, Random secrets) {
        this(consensus, store, settings, clock, secrets, GroupRole.alone());
    }

    /** The server of one Paxos group of a {@link CellHost}: {@code consensus} and {@code store} are that group's. */
    public CellServer(Consensus consensus, StateStore store, CellSettings settings, Clock clock, Random secrets,
                      GroupRole role) {
        this.consensus = consensus;
        this.settings = settings;
        this.role = role;
        this.feed = new ChangeFeed(settings.feedQueueChanges());
        this.machine = new CellStateMachine(settings.cellName(), role.group(), role.layout(), store, new Applied(),
                feed);
        this.namespace = new PartitionedNamespaceView(machine);
        this.sessions = new StateSessions(machine);
        CellSecret secret = role.group() == 0 ? CellSecret.random(secrets)
                : CellSecret.copiedFrom(role.group(), role.groupZeroSecret());
        this.master = new Mastership(consensus, settings, clock, machine, secret, this::location);
        this.router = new CallRouter(consensus, settings, clock, machine, master, namespace, feed, role.group(),
                role.partitioning());
    }

    /** Forwards what each applied entry did to the master's memory (the machine exists before the mastership). */
    private final class Applied implements CellStateMachine.AppliedListener {
        @Override
        public void applied(long index, long epoch, Command command, Result result) {
            master.applied(command, result);
            if (command instanceof Command.SetPartitions) {
                role.partitionsRecorded().accept(partitions());
            }
        }

        @Override
        public void reloaded() {
            master.reloaded();
            if (machine.read(s -> s.partitionsRecorded())) {
                role.partitionsRecorded().accept(partitions()); // a snapshot or the store may hold the record
            }
        }
    }

    /** What says whether every member applies SetLeaseCeiling (the cell host's peer-minor rule). */
    public void ceilingAllowed(java.util.function.BooleanSupplier allowed) {
        master.ceilingAllowed(allowed);
    }

    /** Loads the stored state, registers with consensus and starts the lease timer. */
    public void start() {
        machine.load();
        consensus.addListener(master);
        consensus.register(machine);
        if (settings.tickMillis() > 0) {
            String name = role.group() == 0 ? "chubby-cell-timer" : "chubby-cell-timer-g" + role.group();
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::safeTick, settings.tickMillis(), settings.tickMillis(),
                    TimeUnit.MILLISECONDS);
        }
        if (consensus.isMaster()) {
            // Mastership may have been won before we listened; taking over twice is harmless.
            master.becameMaster(consensus.epoch());
        }
        log.info("cell server started cell={} group={} index={} checksum={} aclEnforced={}", settings.cellName(),
                role.group(), machine.appliedIndex(), machine.checksum(), settings.aclEnforced());
    }

    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        router.close();
        consensus.removeListener(master);
        consensus.unregister(machine);
        master.failHeld();
        feed.close();
        log.info("cell server stopped cell={} group={}", settings.cellName(), role.group());
    }

    /** One timer step (the timer thread calls it; tests call it after moving their clock). */
    public void tick() {
        master.tick();
        afterTick.run();
    }

    /** What to run after each timer step (the cell host's group-0 duties); replaces the previous one. */
    void afterTick(Runnable step) {
        this.afterTick = step;
    }

    private void safeTick() {
        try {
            tick();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            // Never let one failure stop the timer for good: a dead timer means no lease ever expires.
            log.error("lease timer step failed", e);
        }
    }

    // ------------------------------------------------------------------ RequestHandler

    @Override
    public Greeting greeting() {
        return new Greeting(settings.cellName(), consensus.self().id());
    }

    @Override
    public void connected(ClientConnection connection) {
        log.debug("client connected conn={} remote={} client=\"{}\" principal={}", connection.id(),
                connection.remoteAddress(), connection.clientName(), connection.principal());
    }

    @Override
    public void request(ClientConnection connection, byte[] request) {
        router.route(connection, request);
    }

    /** Serves a request the cell host's router decoded and routed to this group. */
    public void request(ClientConnection connection, Request request) {
        router.route(connection, request);
    }

    @Override
    public void disconnected(ClientConnection connection) {
        // Sessions outlive connections; a KeepAlive held for this connection is dropped on reply.
        log.debug("client disconnected conn={}", connection.id());
    }

    @Override
    public byte[] leavingNotice() {
        return Wire.leaving(consensus, location()).toByteArray();
    }

    // ------------------------------------------------------------------ plug-ins

    /** Binds a request filter (OSGi: ranking and service id from its service properties). */
    public void addFilter(RequestFilter filter, int ranking, long serviceId) {
        router.addFilter(filter, ranking, serviceId);
    }

    /** Binds a request filter outside OSGi: ordered by ranking, then by when it was added. */
    public void addFilter(RequestFilter filter, int ranking) {
        addFilter(filter, ranking, localFilterIds.incrementAndGet());
    }

    public void removeFilter(RequestFilter filter) {
        router.removeFilter(filter);
    }

    public void addAuthorizer(Authorizer authorizer, int ranking, long serviceId) {
        router.addAuthorizer(authorizer, ranking, serviceId);
    }

    public void removeAuthorizer(Authorizer authorizer) {
        router.removeAuthorizer(authorizer);
    }

    public void addChangeListener(ChangeListener listener) {
        feed.add(listener);
    }

    public void removeChangeListener(ChangeListener listener) {
        feed.remove(listener);
    }

    public void setAdminShell(AdminShell shell) {
        router.setAdminShell(shell);
    }

    public void unsetAdminShell(AdminShell shell) {
        router.unsetAdminShell(shell);
    }

    /** The Paxos group this server serves. */
    public int group() {
        return role.group();
    }

    /** Where this group's master is, as a client is told it (in a partitioned cell: with the map). */
    public MasterLocation location() {
        return role.partitioning().locate(Wire.location(settings.cellName(), consensus), role.group());
    }

    /** Sessions in this group's applied state. */
    long sessionCount() {
        return machine.read(s -> s.sessionCount());
    }

    /** Nodes in this group's applied state. */
    long nodeCount() {
        return machine.read(s -> s.nodeCount());
    }

    /** This group's consensus. */
    public Consensus consensus() {
        return consensus;
    }

    /** How the cell is partitioned as this group's applied state records it (group 0 holds the record). */
    public Partitions partitions() {
        return machine.read(s -> s.partitions());
    }

    /** This group's cell secret as applied here; null before its InitCell. */
    byte[] secret() {
        return machine.read(s -> s.secret());
    }

    /** Proposes {@code command} in this group (on its master; else the future fails NOT_MASTER). */
    /** How this group's master reaches the masters of the other groups (directory intents). */
    void crossCalls(io.chubby.cell.internal.cross.CrossCalls calls) {
        master.directories().crossCalls(calls);
        master.aclCopies().crossCalls(calls);
    }

    /** This server as the target of another group's cross call: proposes the step here while master. */
    io.chubby.cell.internal.cross.LocalCrossCalls.Target crossTarget() {
        return new io.chubby.cell.internal.cross.LocalCrossCalls.Target(consensus.isMaster(), this::propose);
    }

    CompletableFuture<Result> propose(Command command) {
        return master.proposer().propose(command);
    }

    /** The applied namespace, read-only (also registered as a service under OSGi). */
    public NamespaceView namespace() {
        return namespace;
    }

    /** The applied sessions and locks, read-only (also registered as a service under OSGi). */
    public SessionView sessions() {
        return sessions;
    }

    /** The state machine registered with consensus (for tests and the simulation). */
    public StateMachine stateMachine() {
        return machine;
    }

    /**
     * The longest any write waited for one cache holder's acknowledgement on this replica since it
     * started (Status metric {@code cache_holder_wait_max_ms}; for the simulation's check that no
     * write waits longer than one lease on a client).
     */
    public long longestCacheHolderWaitMillis() {
        return master.cache().longestHolderWaitMillis();
    }

    /** The Status answer of this replica (also for tests and benchmarks). */
    public StatusReply statusForTest() {
        return router.status();
    }
}
