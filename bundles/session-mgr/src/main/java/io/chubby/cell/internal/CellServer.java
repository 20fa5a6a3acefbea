package io.chubby.cell.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.Result;
import io.chubby.protocol.AdminReply;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.StatusReply;
import io.chubby.spi.AdminShell;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusListener;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.RequestHandler;
import io.chubby.spi.StateStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's brain as an OSGi component: serves client requests, registers the cell
 * {@link io.chubby.spi.StateMachine} with {@link Consensus}, and keeps session leases in memory.
 * Master-location, status and admin calls are answered by any replica; everything else only by
 * the master, at the client's epoch. Also constructible without OSGi for tests and benchmarks
 * ({@link #CellServer(Consensus, StateStore, CellSettings, Clock)} then {@link #start()}).
 *
 * <p>Threads: transport threads call {@link #request}; the consensus apply thread calls the
 * listener methods; a timer thread (named {@code chubby-cell-timer}) ticks the leases. State
 * access is serialised by {@link CellStateMachine}, leases by {@link SessionLeases}.
 */
@Component(service = RequestHandler.class, configurationPid = "io.chubby.replica",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = CellServer.Config.class)
public final class CellServer implements RequestHandler, ConsensusListener {
    private static final Logger log = LoggerFactory.getLogger(CellServer.class);
    private static final int SECRET_BYTES = 32;

    @ObjectClassDefinition(id = "io.chubby.cell", name = "Chubby cell (session-mgr)",
            description = "Namespace, handles, sessions and KeepAlive of one replica")
    public @interface Config {
        @AttributeDefinition(description = "Cell name; client paths may say 'local' instead")
        String cell_name() default "local";

        @AttributeDefinition(description = "Largest file contents in bytes (larger writes fail TOO_LARGE)")
        int cell_max_content_bytes() default 262_144;

        @AttributeDefinition(description = "Session lease granted by each KeepAlive reply, ms")
        long cell_session_lease_ms() default 12_000;

        @AttributeDefinition(description = "Longest lease a master may grant; a new master extends every "
                + "session to now + this, ms")
        long cell_session_max_lease_ms() default 60_000;

        @AttributeDefinition(description = "A held KeepAlive is answered this long before the lease ends, ms")
        long cell_keepalive_margin_ms() default 1_000;

        @AttributeDefinition(description = "Period of the lease timer, ms")
        long cell_timer_tick_ms() default 100;

        @AttributeDefinition(description = "A session with no handles and no calls for this long is ended, ms "
                + "(0: never)")
        long cell_session_idle_ms() default 60_000;

        @AttributeDefinition(description = "KeepAlive rate the master aims at by lengthening leases under load "
                + "(lease = sessions * 1000 / this, between the lease and the max lease), per second")
        long cell_keepalive_target_per_s() default 1_000;
    }

    private final Consensus consensus;
    private final CellSettings settings;
    private final Clock clock;
    private final CellStateMachine machine;
    private final SessionLeases leases;
    private final Proposer proposer;
    private final SessionCalls sessions;
    private final FileCalls files;
    private final LockWaits lockWaits;
    private final LockCalls locks;
    private final LeasePolicy policy;
    private final CacheTracker cache;
    private final EventRouter events;
    // Admin commands may call back into this replica (Gogo chubby:* commands): never on an I/O thread.
    private final java.util.concurrent.ExecutorService adminExecutor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "chubby-cell-admin");
        t.setDaemon(true);
        return t;
    });
    private final SecureRandom random = new SecureRandom();
    private volatile AdminShell adminShell;
    // Cached so that lease replies never call into consensus while holding the leases' monitor.
    private volatile long epoch;
    private final java.util.concurrent.atomic.AtomicBoolean initInFlight = new java.util.concurrent.atomic.AtomicBoolean();
    private ScheduledExecutorService timer;

    @Activate
    public CellServer(@Reference Consensus consensus, @Reference StateStore store, Config config) {
        this(consensus, store, CellSettings.from(config), Clock.systemUTC());
        start();
    }

    public CellServer(Consensus consensus, StateStore store, CellSettings settings, Clock clock) {
        this.consensus = consensus;
        this.settings = settings;
        this.clock = clock;
        this.machine = new CellStateMachine(settings.cellName(), store, new AppliedHook());
        this.proposer = new Proposer(consensus, this::notMaster);
        this.policy = new LeasePolicy(settings);
        this.leases = new SessionLeases(settings, policy, clock, () -> epoch, new LeaseHooks());
        this.cache = new CacheTracker(leases::queueInvalidation);
        this.events = new EventRouter(machine, leases);
        this.sessions = new SessionCalls(machine, proposer, leases, settings, clock, () -> epoch, policy::leaseMillis);
        this.files = new FileCalls(machine, proposer, settings, clock, new CoherentWrites(cache, proposer), cache);
        this.lockWaits = new LockWaits(machine, proposer, leases, clock, consensus::isMaster, settings.leaseMillis());
        this.locks = new LockCalls(machine, proposer, lockWaits, clock);
    }

    /** What the leases ask for: expiry, idle ending, acknowledgements for the cache tracker. */
    private final class LeaseHooks implements SessionLeases.Hooks {
        @Override
        public void expire(long id) {
            sessions.expire(id);
        }

        @Override
        public void idle(long id) {
            if (consensus.isMaster() && machine.read(s -> s.hasSession(id) && s.handleCountOf(id) == 0)) {
                sessions.endIdle(id);
            }
        }

        @Override
        public void invalidationsAcked(long id, java.util.List<Long> ids) {
            cache.invalidationsAcked(id, ids);
        }

        @Override
        public void failoverAcked(long id) {
            cache.failoverAcked(id);
        }
    }

    /** Loads the stored state, registers with consensus and starts the lease timer. */
    public void start() {
        machine.load();
        epoch = consensus.epoch();
        consensus.addListener(this);
        consensus.register(machine);
        if (settings.tickMillis() > 0) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "chubby-cell-timer");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::safeTick, settings.tickMillis(), settings.tickMillis(),
                    TimeUnit.MILLISECONDS);
        }
        if (consensus.isMaster()) {
            // Mastership may have been won before we listened; taking over twice is harmless.
            becameMaster(consensus.epoch());
        }
        log.info("cell server started cell={} index={} checksum={}", settings.cellName(), machine.appliedIndex(),
                machine.checksum());
    }

    @Deactivate
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        adminExecutor.shutdownNow();
        consensus.removeListener(this);
        consensus.unregister(machine);
        failHeld();
        log.info("cell server stopped cell={}", settings.cellName());
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            unbind = "unsetAdminShell")
    public void setAdminShell(AdminShell shell) {
        this.adminShell = shell;
    }

    public void unsetAdminShell(AdminShell shell) {
        if (this.adminShell == shell) {
            this.adminShell = null;
        }
    }

    /** One timer step (the timer thread calls it; tests call it after moving their clock). */
    public void tick() {
        // Never expire leases before this epoch's takeover extended the leases recorded by earlier
        // masters: until then the table holds entries granted at apply time on this replica, never
        // renewed here, and expiring them would end sessions the old master kept alive (found by
        // tools/faults). The timer takes over itself if the becameMaster callback has not run yet.
        if (consensus.isMaster()) {
            long e = consensus.epoch();
            if (takenOverEpoch != e) {
                takeOver(e); // mastership without a becameMaster callback we could act on
            }
            ensureInitialised();
            policy.update(leases.sessionCount(), clock.millis());
            leases.tick();
            cache.tick(leases::isLive);
            lockWaits.tick();
        }
    }

    /**
     * On the master, proposes InitCell while the cell has no secret. Called on takeover and again
     * on every tick, because a proposal made from inside becameMaster may be refused by a
     * consensus that has not yet published its mastership; a duplicate InitCell is a no-op.
     */
    private void ensureInitialised() {
        if (machine.read(s -> s.initialised()) || !initInFlight.compareAndSet(false, true)) {
            return;
        }
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        long e = epoch;
        proposer.propose(new Command.InitCell(secret, clock.millis())).whenComplete((r, err) -> {
            initInFlight.set(false);
            if (err != null) {
                log.warn("cell init not committed epoch={} cause={}", e, Proposer.unwrap(err).getMessage());
            } else {
                log.info("cell initialised epoch={}", e);
            }
        });
    }

    /** The epoch whose takeover (lease extension) is done; the lease timer waits for it. */
    private volatile long takenOverEpoch = -1;

    private void safeTick() {
        try {
            tick();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            // Never let one failure stop the timer for good: a dead timer means no lease ever expires.
            log.error("lease timer step failed", e);
        }
    }

    // ------------------------------------------------------------------ consensus listener

    @Override
    public void becameMaster(long epoch) {
        takeOver(epoch);
    }

    /** Extends every recorded session's lease for this epoch, once (listener or timer, whichever is first). */
    private synchronized void takeOver(long epoch) {
        if (takenOverEpoch == epoch) {
            return;
        }
        this.epoch = epoch;
        log.info("became master epoch={} index={} sessions={}", epoch, machine.appliedIndex(),
                machine.read(s -> s.sessionCount()));
        ensureInitialised();
        java.util.List<Long> ids = machine.read(s -> s.sessionIds());
        cache.takeOver(ids);
        leases.takeOver(ids);
        takenOverEpoch = epoch;
    }

    @Override
    public void lostMastership(long epoch) {
        log.info("lost mastership epoch={}", epoch);
        cache.lostMastership();
        failHeld();
    }

    @Override
    public void masterChanged(int masterId, long newEpoch) {
        this.epoch = newEpoch;
    }

    private void failHeld() {
        for (SessionLeases.Held h : leases.takeAllHeld()) {
            send(h.connection(), notMaster(h.callId()));
        }
        lockWaits.failAll(this::notMaster);
    }

    /** Keeps master memory in step with applied entries (on the apply thread). */
    private final class AppliedHook implements CellStateMachine.AppliedListener {
        @Override
        public void applied(Command command, Result result) {
            if (command instanceof Command.CreateSessions && result instanceof Result.SessionsCreated c) {
                c.sessionIds().forEach(leases::grant);
            } else if (command instanceof Command.EndSession e) {
                leases.remove(e.sessionId(), e.reason());
                cache.sessionGone(e.sessionId());
            }
            java.util.List<io.chubby.cell.internal.state.NodeChange> changes = machine.read(s -> s.nodeChanges());
            changes.forEach(c -> cache.changed(c.path(),
                    c.kind() == io.chubby.cell.internal.state.NodeChange.Kind.CREATED));
            if (consensus.isMaster()) {
                events.route(changes);
            }
            lockWaits.applied();
        }

        @Override
        public void reloaded() {
            leases.retain(machine.read(s -> s.sessionIds()));
            lockWaits.reloaded();
        }
    }

    // ------------------------------------------------------------------ requests

    @Override
    public Greeting greeting() {
        return new Greeting(settings.cellName(), consensus.self().id());
    }

    @Override
    public void connected(ClientConnection connection) {
        log.debug("client connected conn={} remote={}", connection.id(), connection.remoteAddress());
    }

    @Override
    public void disconnected(ClientConnection connection) {
        // Sessions outlive connections; a KeepAlive held for this connection is dropped on reply.
        log.debug("client disconnected conn={}", connection.id());
    }

    @Override
    public void request(ClientConnection conn, byte[] bytes) {
        Request req;
        try {
            req = Request.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            log.warn("undecodable request conn={} cause={}", conn.id(), e.getMessage());
            send(conn, Wire.error(0, ErrorCode.PROTOCOL_ERROR, "undecodable request: " + e.getMessage()));
            return;
        }
        try {
            dispatch(conn, req);
        } catch (ChubbyException e) {
            send(conn, e.code() == ErrorCode.NOT_MASTER ? notMaster(req.getCallId()) : Wire.error(req, e));
        } catch (RuntimeException e) {
            log.error("request failed conn={} call={} body={}", conn.id(), req.getCallId(), req.getBodyCase(), e);
            send(conn, Wire.error(req.getCallId(), ErrorCode.INTERNAL, "internal error: " + e));
        }
    }

    private void dispatch(ClientConnection conn, Request req) {
        switch (req.getBodyCase()) {
            case MASTER_LOCATION -> send(conn, Wire.reply(req)
                    .setMasterLocation(Wire.location(settings.cellName(), consensus)).build());
            case STATUS -> send(conn, Wire.reply(req).setStatus(status()).build());
            case ADMIN -> admin(conn, req);
            case BODY_NOT_SET -> throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "request has no body");
            default -> masterOnly(conn, req);
        }
    }

    private void masterOnly(ClientConnection conn, Request req) {
        if (!consensus.isMaster()) {
            send(conn, notMaster(req.getCallId()));
            return;
        }
        if (req.getEpoch() != 0 && req.getEpoch() != consensus.epoch()) {
            send(conn, Response.newBuilder().setCallId(req.getCallId())
                    .setError(io.chubby.protocol.Error.newBuilder().setCode(ErrorCode.WRONG_EPOCH.wire())
                            .setMessage("request is for epoch " + req.getEpoch() + " but the master is at epoch "
                                    + consensus.epoch() + "; flush state from the old master and retry"))
                    .setMaster(Wire.location(settings.cellName(), consensus)).build());
            return;
        }
        switch (req.getBodyCase()) {
            case CREATE_SESSION -> sessions.create(conn, req);
            case KEEP_ALIVE -> sessions.keepAlive(conn, req);
            case CLOSE_SESSION -> sessions.close(conn, req);
            default -> {
                sessions.requireLive(req.getSessionId());
                leases.touch(req.getSessionId());
                fileCall(conn, req);
            }
        }
    }

    private void fileCall(ClientConnection conn, Request req) {
        switch (req.getBodyCase()) {
            case OPEN -> files.open(conn, req);
            case CLOSE -> files.close(conn, req);
            case GET_CONTENTS -> files.getContents(conn, req);
            case GET_STAT -> files.getStat(conn, req);
            case READ_DIR -> files.readDir(conn, req);
            case SET_CONTENTS -> files.setContents(conn, req);
            case SET_ACL -> files.setAcl(conn, req);
            case DELETE -> files.delete(conn, req);
            case ACQUIRE -> locks.acquire(conn, req);
            case RELEASE -> locks.release(conn, req);
            case GET_SEQUENCER -> locks.getSequencer(conn, req);
            case CHECK_SEQUENCER -> locks.checkSequencer(conn, req);
            case SET_SEQUENCER -> locks.setSequencer(conn, req);
            case LOCK_INFO -> locks.lockInfo(conn, req);
            default -> throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT,
                    "%s is not supported by this server", req.getBodyCase());
        }
    }

    Response notMaster(long callId) {
        int master = consensus.masterId();
        String where = master == 0 ? "no master is known yet; retry shortly" : "the master is replica " + master;
        return Response.newBuilder().setCallId(callId)
                .setError(io.chubby.protocol.Error.newBuilder().setCode(ErrorCode.NOT_MASTER.wire())
                        .setMessage("replica " + consensus.self().id() + " is not the master: " + where))
                .setMaster(Wire.location(settings.cellName(), consensus)).build();
    }

    /** The state machine registered with consensus (for tests and the simulation). */
    public io.chubby.spi.StateMachine stateMachine() {
        return machine;
    }

    /** The Status answer of this replica (also for tests and benchmarks). */
    public StatusReply statusForTest() {
        return status();
    }

    private StatusReply status() {
        ConsensusStatus c = consensus.status();
        return StatusReply.newBuilder().setReplicaId(c.replicaId()).setRole(c.role()).setMasterId(c.masterId())
                .setEpoch(c.epoch()).setCommitIndex(c.commitIndex()).setAppliedIndex(c.appliedIndex())
                .setChecksum(c.checksum()).setFirstLogIndex(c.firstLogIndex()).setLeaseValid(c.leaseValid())
                .setSessions(machine.read(s -> s.sessionCount())).setNodes(machine.read(s -> s.nodeCount()))
                .setAddress(consensus.self().clientAddress()).setPid(ProcessHandle.current().pid())
                .putMetrics("handles", Long.toString(machine.read(s -> s.handleCount())))
                .putMetrics("held_keepalives", Long.toString(leases.heldCount()))
                .putMetrics("held_acquires", Long.toString(lockWaits.heldCount()))
                .putMetrics("session_lease_ms", Long.toString(settings.leaseMillis()))
                .putMetrics("lease_ms", Long.toString(policy.leaseMillis()))
                .putMetrics("sessions", Integer.toString(leases.sessionCount()))
                .putMetrics("keepalives_per_s", String.format(java.util.Locale.ROOT, "%.1f",
                        policy.keepAlivesPerSecond()))
                .putMetrics("cache_tracked_paths", Integer.toString(cache.trackedPaths()))
                .putMetrics("writes_invalidating", Integer.toString(cache.waitingWrites()))
                .putMetrics("cell_applied_index", Long.toString(machine.appliedIndex()))
                .putMetrics("cell_checksum", Long.toString(machine.checksum()))
                .build();
    }

    private void admin(ClientConnection conn, Request req) {
        AdminShell shell = adminShell;
        if (shell == null) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "no admin shell deployed in this replica");
        }
        adminExecutor.execute(() -> {
            try {
                AdminShell.Result r = shell.execute(req.getAdmin().getCommandLine());
                send(conn, Wire.reply(req).setAdmin(AdminReply.newBuilder().setOutput(r.output())
                        .setStatus(r.status())).build());
            } catch (RuntimeException e) {
                log.warn("admin command failed conn={} cause={}", conn.id(), e.toString());
                send(conn, Wire.error(req.getCallId(), ErrorCode.INTERNAL, "admin command failed: " + e));
            }
        });
    }

    private static void send(ClientConnection conn, Response r) {
        if (conn.isOpen()) {
            conn.send(r.toByteArray());
        }
    }
}
