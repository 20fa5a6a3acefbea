package io.chubby.cell.internal.master;

import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.NodeChange;
import io.chubby.cell.internal.state.PlantedBugs;
import io.chubby.cell.internal.state.Result;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.Response;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusListener;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's memory and duties (Chubby paper 2.8, 2.9; SPEC 7, 8): it owns the session leases
 * with their held KeepAlives, the lease policy, the cache tracker, the event router and the held
 * Acquires, and keeps them in step with consensus and with applied entries. On becoming master it
 * takes over (extends every recorded lease, sends the failover event, initialises a new cell);
 * on losing mastership it fails every held call; each timer {@link #tick} expires leases, ends
 * idle sessions, times out invalidation waits and lock waits. None of it is logged: a new master
 * rebuilds it from the replicated state.
 *
 * <p>Threads: the consensus apply thread calls the listener methods and {@link #applied}; the
 * timer calls {@link #tick}; request threads use the parts. Each part guards its own state.
 */
public final class Mastership implements ConsensusListener {
    private static final Logger log = LoggerFactory.getLogger(Mastership.class);

    private final Supplier<MasterLocation> location;
    private final Consensus consensus;
    private final CellSettings settings;
    private final Clock clock;
    private final CellStateMachine machine;
    private final Proposer proposer;
    private final LeasePolicy policy;
    private final SessionLeases leases;
    private final CacheTracker cache;
    private final CoherentWrites writes;
    private final EventRouter events;
    private final LockWaits lockWaits;
    private final DirectoryIntents directories;
    private final AclCoherence acl;
    private final CellSecret secrets;
    private final AtomicBoolean initInFlight = new AtomicBoolean();
    private final AtomicBoolean settleInFlight = new AtomicBoolean();
    /** Whether every member applies SetLeaseCeiling (peer 1.4); until then none is proposed. */
    private volatile BooleanSupplier ceilingAllowed = () -> true;
    /** Whether any session existed when this mastership took over (its promises bound the wait). */
    private volatile boolean sessionsAtTakeover;
    /** The epoch whose settling entry has been applied; until then the master serves sessions only. */
    private volatile long settledEpoch = -1;
    // Cached so that lease replies never call into consensus while holding the leases' monitor.
    private volatile long epoch;
    /** The epoch whose takeover (lease extension) is done; the lease timer waits for it. */
    private volatile long takenOverEpoch = -1;
    /**
     * Takeovers so far. A return after a lapse at the same epoch takes over that epoch again, and a
     * settling entry proposed before the lapse (its proposal kept across it, as the consensus
     * keeps pending proposals then) must not settle the new takeover: it is not behind the writes
     * proposed before the lapse.
     */
    private volatile long takeovers;

    /**
     * @param random source of the cell secret a new cell gets (a {@link java.security.SecureRandom}
     *               in a server; seeded in the simulator, so a run is a function of its seed)
     */
    public Mastership(Consensus consensus, CellSettings settings, Clock clock, CellStateMachine machine,
                      Random random) {
        this(consensus, settings, clock, machine, CellSecret.random(random));
    }

    /** The master of one Paxos group, whose InitCell takes its secret from {@code secrets}. */
    public Mastership(Consensus consensus, CellSettings settings, Clock clock, CellStateMachine machine,
                      CellSecret secrets) {
        this(consensus, settings, clock, machine, secrets, () -> Wire.location(settings.cellName(), consensus));
    }

    /**
     * As above; a NOT_MASTER answer names {@code location} (in a partitioned cell: this group's
     * master and the partition map).
     */
    public Mastership(Consensus consensus, CellSettings settings, Clock clock, CellStateMachine machine,
                      CellSecret secrets, Supplier<MasterLocation> location) {
        this.location = location;
        this.consensus = consensus;
        this.secrets = secrets;
        this.settings = settings;
        this.clock = clock;
        this.machine = machine;
        this.proposer = new Proposer(consensus, this::notMaster);
        this.policy = new LeasePolicy(settings);
        this.leases = new SessionLeases(settings, policy, clock, () -> epoch, new LeaseHooks());
        this.cache = new CacheTracker(leases::queueInvalidation, clock, consensus::isMaster);
        this.acl = new AclCoherence(machine, consensus::isMaster);
        this.writes = new CoherentWrites(cache, proposer, acl);
        this.events = new EventRouter(machine, leases);
        this.lockWaits = new LockWaits(machine, proposer, leases, clock, consensus::isMaster, settings.leaseMillis());
        this.directories = new DirectoryIntents(machine, proposer::propose, consensus::isMaster);
        this.epoch = consensus.epoch();
    }

    public Proposer proposer() {
        return proposer;
    }

    public LeasePolicy policy() {
        return policy;
    }

    public SessionLeases leases() {
        return leases;
    }

    public CacheTracker cache() {
        return cache;
    }

    public CoherentWrites writes() {
        return writes;
    }

    public LockWaits lockWaits() {
        return lockWaits;
    }

    /** Open directory intents this group coordinates (empty in a cell of one group). */
    public DirectoryIntents directories() {
        return directories;
    }

    /** The ACL copies this group's master keeps coherent when it holds the ACL files (inactive otherwise). */
    public AclCoherence aclCopies() {
        return acl;
    }

    /** The epoch this replica knows (cached from consensus). */
    public long epoch() {
        return epoch;
    }

    /** The NOT_MASTER answer to a call, naming where the master is. */
    public Response notMaster(long callId) {
        return Wire.notMaster(callId, consensus, location.get());
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
            settle(e);
            policy.update(leases.sessionCount(), machine.read(s -> s.leaseCeilingMillis()), clock.millis());
            proposeCeiling(e);
            leases.tick();
            cache.tick(leases::isLive);
            lockWaits.tick();
            directories.drive();
            acl.drive();
        }
    }

    /**
     * On the master, proposes InitCell while the group has no secret (group 0: a new one; a group
     * >= 1: group 0's, once this replica has it). Called on takeover and again
     * on every tick, because a proposal made from inside becameMaster may be refused by a
     * consensus that has not yet published its mastership; a duplicate InitCell is a no-op.
     */
    private void ensureInitialised() {
        if (machine.read(s -> s.initialised()) || !initInFlight.compareAndSet(false, true)) {
            return;
        }
        byte[] secret = secrets.next();
        if (secret == null) {
            // A group >= 1 copies group 0's secret, which this replica has not applied yet: next tick.
            initInFlight.set(false);
            return;
        }
        long e = epoch;
        int group = secrets.group();
        proposer.propose(new Command.InitCell(secret, clock.millis(), group)).whenComplete((r, err) -> {
            initInFlight.set(false);
            if (err != null) {
                log.warn("cell init not committed group={} epoch={} cause={}", group, e,
                        Proposer.unwrap(err).getMessage());
            } else {
                log.info("cell initialised group={} epoch={}", group, e);
            }
        });
    }

    @Override
    public void becameMaster(long newEpoch) {
        takeOver(newEpoch);
    }

    /**
     * Extends every recorded session's lease for this epoch, once (listener or timer, whichever is
     * first), then proposes what a new master owes the log (InitCell if needed, the settling Noop).
     * The proposals are made outside this object's monitor: a consensus may call back into it
     * (becameMaster, lostMastership) while holding a lock its propose takes too (the timer taking
     * over here while the testkit's FakeConsensus delivered becameMaster under its apply lock
     * deadlocked CellCommandsTest once).
     */
    private void takeOver(long newEpoch) {
        if (takeOverLeases(newEpoch)) {
            ensureInitialised();
            settle(newEpoch);
        }
    }

    /** The leases' part of {@link #takeOver}; false if this epoch was taken over already. */
    private synchronized boolean takeOverLeases(long newEpoch) {
        if (takenOverEpoch == newEpoch) {
            return false;
        }
        this.epoch = newEpoch;
        log.info("became master epoch={} index={} sessions={}", newEpoch, machine.appliedIndex(),
                machine.read(s -> s.sessionCount()));
        List<Long> ids = machine.read(s -> s.sessionIds());
        sessionsAtTakeover = !ids.isEmpty();
        policy.takeOver(clock.millis(), machine.read(s -> s.leaseCeilingMillis()));
        cache.takeOver(ids, newEpoch);
        leases.takeOver(ids);
        takeovers++;
        takenOverEpoch = newEpoch;
        return true;
    }

    /**
     * Whether this replica has taken over {@code epoch}: the leases of every recorded session were
     * extended for it. Between consensus making this replica master and the takeover (the
     * becameMaster callback, or the timer's next tick) the lease table is an earlier mastership's
     * or empty, so no session may be judged by it: a live session would be told it expired
     * (found by tools/faults PlannedStopIT: a client's call reached the new master of a planned
     * handover 13 ms before its takeover and its session was ended).
     */
    public boolean tookOver(long epoch) {
        return takenOverEpoch == epoch;
    }

    /**
     * Whether this master has settled its takeover: an entry of its own, proposed after it took
     * over (in this takeover: not one proposed before a lapse), has been applied, so every entry
     * proposed before (by an earlier master, or by itself before its lease lapsed and came back at
     * the same epoch: writes the consensus kept pending across the lapse, whose cache tracking went
     * with it) is applied or superseded. Until then it serves only
     * session calls: a read answered before would let a client cache a value such an entry is
     * about to replace, with nobody left to invalidate it (found by the whole-cell simulation,
     * seed 20312). With a majority at hand this takes one round of the log.
     */
    public boolean settled() {
        return (settledEpoch == takenOverEpoch && takenOverEpoch != -1) || PlantedBugs.serveBeforeSettled;
    }

    private void settle(long e) {
        long takeover = takeovers; // read first: a takeover after the check below only makes this one stale
        if (settledEpoch == e || takenOverEpoch != e || !settleInFlight.compareAndSet(false, true)) {
            return;
        }
        proposer.propose(new Command.Noop()).whenComplete((r, err) -> {
            settleInFlight.set(false);
            // Only for the takeover it was proposed in: one from before a lapse at the same epoch
            // settles nothing, and the next tick proposes the new takeover's own.
            if (err == null && takenOverEpoch == e && takeovers == takeover) {
                long recorded = machine.read(s -> s.leaseCeilingMillis());
                long promisesEnd = policy.settled(recorded, sessionsAtTakeover);
                // A session still owing the failover acknowledgement then (with a margin for clock
                // rates) cannot be using its cache: it loses its claims, and writes stop waiting for it.
                long claimsEnd = PlantedBugs.failoverWaitsForNobody ? clock.millis()
                        : promisesEnd + failoverClaimsMargin(recorded);
                leases.failoverClaimsEnd(claimsEnd);
                settledEpoch = e;
                acl.tookOver();
                directories.tookOver();
                log.info("takeover settled epoch={} index={} leaseCeilingMs={} unacknowledgedClaimsEndInMs={}", e,
                        machine.appliedIndex(), recorded, claimsEnd - clock.millis());
            }
        });
    }

    /**
     * What a new master adds to the earlier masters' longest promise before it stops waiting for a
     * silent session: the keep-alive margin or a tenth of the base lease, whichever is longer (1.2 s
     * by default), plus 2% of the ceiling. It covers this replica's clock running slow over the
     * ceiling and a reply that reached its client later than the client assumes (its
     * {@code maxReplyDelay}, 250 ms by default): each client counts its lease from at most that long
     * before the reply arrived, less its drift margin.
     */
    private long failoverClaimsMargin(long recorded) {
        long ceiling = recorded > 0 ? recorded : settings.maxLeaseMillis();
        return Math.max(settings.keepAliveMarginMillis(), settings.leaseMillis() / 10) + ceiling / 50;
    }

    /** Proposes the lease ceiling {@link LeaseCeiling} asks for, once settled and initialised (timer). */
    private void proposeCeiling(long e) {
        if (!settled() || settledEpoch != e || !machine.read(s -> s.initialised())) {
            return;
        }
        long generation = policy.ceilingGeneration();
        long v = policy.ceilingProposal(clock.millis(), ceilingAllowed.getAsBoolean());
        if (v <= 0) {
            return;
        }
        long before = policy.recordedCeiling();
        proposer.propose(new Command.SetLeaseCeiling(v)).whenComplete((r, err) -> {
            policy.ceilingProposalDone(generation);
            if (err != null) {
                log.warn("lease ceiling not recorded epoch={} ceilingMs={} cause={}", e, v,
                        Proposer.unwrap(err).getMessage());
            } else {
                log.info("lease ceiling recorded epoch={} ceilingMs={} was={}", e, v, before);
            }
        });
    }

    /**
     * What says whether every member applies SetLeaseCeiling (the cell host: peer 1.4 announced by
     * all); without one, a ceiling is proposed as soon as the rule allows (one replica, tests).
     */
    public void ceilingAllowed(BooleanSupplier allowed) {
        this.ceilingAllowed = allowed;
    }

    @Override
    public void lostMastership(long oldEpoch) {
        log.info("lost mastership epoch={}", oldEpoch);
        // The cache tracking goes with the mastership, so a master that gets its lease back (even at
        // the same epoch, after a brief lapse) must take over again: every session hears of the
        // failover and flushes its cache. Without this reset a same-epoch return skipped the takeover
        // and writes went ahead without invalidating caches it no longer tracked (found by the
        // whole-cell simulator, seed 71: a stale cached read).
        takenOverEpoch = -1;
        settledEpoch = -1;
        cache.lostMastership();
        acl.lostMastership();
        failHeld();
    }

    @Override
    public void masterChanged(int masterId, long newEpoch) {
        this.epoch = newEpoch;
    }

    /** Answers every held KeepAlive and Acquire with NOT_MASTER (mastership lost, or shutting down). */
    public void failHeld() {
        for (SessionLeases.Held h : leases.takeAllHeld()) {
            if (h.connection().isOpen()) {
                h.connection().send(notMaster(h.callId()).toByteArray());
            }
        }
        lockWaits.failAll(this::notMaster);
    }

    /** Apply thread: keeps master memory in step with entry {@code index}, which succeeded. */
    public void applied(Command entry, Result result) {
        Command command = Command.unguarded(entry);
        directories.applied(command, result);
        if (command instanceof Command.CreateSessions && result instanceof Result.SessionsCreated c) {
            c.sessionIds().forEach(leases::grant);
        } else if (command instanceof Command.EndSession e) {
            leases.remove(e.sessionId(), e.reason());
            cache.sessionGone(e.sessionId());
        }
        List<NodeChange> changes = machine.read(s -> s.nodeChanges());
        changes.forEach(c -> cache.changed(c.path(), c.kind() == NodeChange.Kind.CREATED));
        if (consensus.isMaster()) {
            events.route(changes);
        }
        lockWaits.applied();
    }

    /** Apply thread: the state was replaced (load at start, snapshot install). */
    public void reloaded() {
        leases.retain(machine.read(s -> s.sessionIds()));
        lockWaits.reloaded();
    }

    /** No handles and no calls for the idle time: end the session (not an expiry: no lock-delay). */
    private void endIdle(long sessionId) {
        log.info("ending idle session={}", sessionId);
        leases.markEnding(sessionId);
        endSession(sessionId, "idle", false);
    }

    /** A lease ran out with no KeepAlive held: end the session through the log. */
    private void expire(long sessionId) {
        log.info("session lease expired session={}", sessionId);
        endSession(sessionId, "lease expired", true);
    }

    private void endSession(long sessionId, String reason, boolean expired) {
        proposer.propose(new Command.EndSession(sessionId, reason, expired, clock.millis())).whenComplete((r, err) -> {
            if (err != null) {
                log.warn("could not end session={} reason=\"{}\" cause={}", sessionId, reason,
                        Proposer.unwrap(err).getMessage());
                leases.expiryFailed(sessionId);
            }
        });
    }

    /** What the leases ask for: expiry, idle ending, acknowledgements for the cache tracker. */
    private final class LeaseHooks implements SessionLeases.Hooks {
        @Override
        public void expire(long id) {
            Mastership.this.expire(id);
        }

        @Override
        public void idle(long id) {
            if (consensus.isMaster() && machine.read(s -> s.hasSession(id) && s.handleCountOf(id) == 0)) {
                endIdle(id);
            }
        }

        @Override
        public void invalidationsAcked(long id, List<Long> ids) {
            cache.invalidationsAcked(id, ids);
        }

        @Override
        public void failoverAcked(long id) {
            cache.failoverAcked(id);
        }

        @Override
        public void cacheDropped(long id, long seq) {
            log.info("session lost its cache claims session={} reason=\"acknowledgement owed at its lease end\"", id);
            cache.dropped(id, seq);
        }

        @Override
        public void cacheDropAcked(long id, long seq) {
            cache.dropAcked(id, seq);
        }
    }
}
