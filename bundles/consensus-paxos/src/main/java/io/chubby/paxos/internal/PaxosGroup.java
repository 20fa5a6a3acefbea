package io.chubby.paxos.internal;

import io.chubby.paxos.core.Configuration;
import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.Message;
import io.chubby.paxos.core.PaxosConfig;
import io.chubby.paxos.core.PaxosNode;
import io.chubby.paxos.core.Ready;
import io.chubby.paxos.core.RecoveredState;
import io.chubby.paxos.core.Role;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import io.chubby.spi.Member;
import io.chubby.spi.PeerTransport;
import io.chubby.spi.StateMachine;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Paxos group on a replica, as its {@link GroupHost}'s loop thread drives it: the group's
 * {@link PaxosNode}, {@link DurableLog}, registered {@link StateMachine}, proposal futures,
 * {@link MastershipTracker} and {@link GroupCompaction} (snapshot transfers and log compaction).
 * Every method but {@link #view()} and {@link #tracker()} runs on the loop thread; other threads
 * read the published {@link ReplicaView}.
 *
 * <p>The host splits a {@link Ready} around the one combined write of a loop pass:
 * {@link #takeReady} (send its requests, return its log batch), then, once every group's batch is
 * durable, {@link #finishReady} (send its answers, apply, start snapshot transfers, advance).
 */
final class PaxosGroup {
    private static final Logger log = LoggerFactory.getLogger(PaxosGroup.class);
    /**
     * Between withdrawing the serving view and asking the node to hand off: a caller that saw
     * {@code isMaster()} true just before has this long to finish a local read before a release
     * can leave (a lease loss gives such a reader a whole election; a handoff only round trips).
     */
    static final long READ_GRACE_MS = 20;

    /** A move asked for: serving stopped; the node is asked to hand off at {@code at}. */
    private record Draining(int target, boolean pinned, long at) {
    }

    private final int group;
    private final ReplicaSettings settings;
    private final PaxosConfig config;
    private final int self;
    private final LogStore store;
    private final PeerOutbox outbox;
    private final LongSupplier clock;
    private final SplittableRandom random;
    private final MastershipTracker tracker;
    private final ProposalFutures<Long> futures = new ProposalFutures<>();
    private final GroupCounters counters = new GroupCounters();
    private final GroupCompaction compaction;
    private volatile ReplicaView view = ReplicaView.NONE;
    private final GroupAddressBooks books;

    // Loop-thread state.
    private PaxosNode node;
    private DurableLog durable;
    private ConfigurationHistory history;
    private StateMachine machine;
    private Ready pending;
    private Draining draining;
    /** When the node accepted our handoff (MIN: none runs). */
    private long handedOffAt = Long.MIN_VALUE;
    /**
     * After stepping down by a handoff, our proposals' futures wait until then: the target holds
     * every entry we accepted and re-proposes them with their epochs, so they commit and settle
     * here as the new master's commits reach us.
     */
    private long keepFuturesUntil = Long.MIN_VALUE;
    /** Proposals of ours not settled yet, for other threads (a planned stop waits for them). */
    private volatile int waiting;

    PaxosGroup(int group, ReplicaSettings settings, PaxosConfig config, LogStore store, PeerTransport transport,
               PeerOutbox outbox, LongSupplier clock, long seed, Executor compactor) {
        this.group = group;
        this.settings = settings;
        this.config = config;
        this.self = settings.replicaId();
        this.store = store;
        this.outbox = outbox;
        this.clock = clock;
        this.random = new SplittableRandom(seed);
        this.tracker = new MastershipTracker(self);
        this.books = new GroupAddressBooks(settings.members());
        this.compaction = new GroupCompaction(group, settings, transport, clock, compactor, counters);
    }

    int id() {
        return group;
    }

    ReplicaView view() {
        return view;
    }

    /** What this group did since it started (any thread). */
    GroupCounters counters() {
        return counters;
    }

    MastershipTracker tracker() {
        return tracker;
    }

    /** The members of the configuration applied last, with their addresses (any thread). */
    List<Member> members() {
        return books.members();
    }

    /** The address books this group knows: which replicas it needs links to (loop thread). */
    GroupAddressBooks addressBooks() {
        return books;
    }

    boolean running() {
        return node != null;
    }

    /**
     * Attaches {@code m} and starts the node from disk: promised ballot, log, and m's applied index.
     * {@code joining}: a replica with an empty disk starts with no configuration ({@code Configuration.NONE}:
     * it never campaigns) until the cell adds it.
     */
    void attach(StateMachine m, boolean joining) {
        long now = clock.getAsLong();
        if (machine != null) {
            throw new IllegalStateException("a state machine is already registered on replica " + self
                    + " group " + group);
        }
        machine = m;
        durable = new DurableLog(store);
        history = new ConfigurationHistory(store);
        byte[] recorded = history.atOrBelow(m.appliedIndex());
        books.members(recorded == null ? settings.members() : AddressBook.members(recorded));
        boolean fresh = recorded == null && m.appliedIndex() == 0 && durable.lastIndex() == 0;
        RecoveredState rec = new RecoveredState(durable.promised(), m.appliedIndex(), recorded != null
                ? Configuration.decode(recorded) : joining && fresh ? Configuration.NONE : null);
        node = new PaxosNode(config, rec, durable, random::nextLong, now);
        compaction.countFrom(m.appliedIndex());
        log.info("replica started replica={} cell={} promised={} applied={} log={}..{} group={} members={}", self,
                settings.cellName(), rec.promised(), rec.appliedIndex(), durable.firstIndex(), durable.lastIndex(),
                group, books.members());
    }

    void detach(StateMachine m) {
        if (machine != m) {
            return;
        }
        futures.failAll("replica " + self + " is shutting down");
        waiting = 0;
        compaction.cancelTransfers();
        tracker.update(false, 0, view.epoch(), view.appliedIndex());
        machine = null;
        draining = null;
        handedOffAt = Long.MIN_VALUE;
        keepFuturesUntil = Long.MIN_VALUE;
        node = null;
        durable = null;
        history = null;
        books.clear();
        pending = null;
        view = ReplicaView.NONE;
    }

    /** The loop stopped (fail-stop or close): fail what waits and stop serving. */
    void stopped() {
        futures.failAll("replica " + self + " stopped");
        waiting = 0;
        if (tracker.serving()) {
            tracker.update(false, 0, view.epoch(), view.appliedIndex());
        }
        view = ReplicaView.NONE;
    }

    // ------------------------------------------------------------- inputs

    void step(PeerCodec.Decoded d, long now) {
        if (node == null) {
            return; // not taking part yet: dropped, as a replica that is down would
        }
        if (d instanceof PeerCodec.CoreMessage cm) {
            if (log.isTraceEnabled()) {
                log.trace("recv replica={} group={} msg={}", self, group, cm.message());
            }
            try {
                node.step(cm.message(), now);
            } catch (IllegalArgumentException e) {
                // Bad input never kills a replica: a decodable but invalid message is dropped.
                log.warn("dropped invalid peer message replica={} group={} msg={} error={}", self, group,
                        cm.message(), e.getMessage());
            }
        } else if (d instanceof SnapshotPiece s) {
            onSnapshotPiece(s);
        }
    }

    void propose(byte[] command, CompletableFuture<byte[]> future, long now) {
        if (node == null) {
            future.completeExceptionally(ProposalFutures.notProposed("replica " + self + " is not running"));
            return;
        }
        if (draining != null) {
            future.completeExceptionally(ProposalFutures.notProposed("replica " + self
                    + " is handing mastership of group " + group + " to " + draining.target()));
            return;
        }
        long index = node.propose(command, now);
        if (index < 0) {
            future.completeExceptionally(ProposalFutures.notProposed("replica " + self
                    + " is not master (" + ProposalFutures.masterHint(self, node.masterId()) + ")"));
        } else {
            futures.add(index, node.epoch(), future);
            counters.proposals.incrementAndGet();
        }
    }

    /**
     * Proposes the configuration of {@code next} (one replica added or removed: CORE-API.md
     * "Changing the members") with their addresses; {@code future} completes once it is applied.
     */
    void proposeMembers(List<Member> next, CompletableFuture<byte[]> future, long now) {
        pendingChange = null;
        if (node == null || draining != null) {
            future.completeExceptionally(ProposalFutures.notProposed("replica " + self + " cannot change the members"
                    + " of group " + group + " now (not running, or handing over)"));
            return;
        }
        long index = node.proposeMembers(AddressBook.configuration(next), AddressBook.encode(next), now);
        if (index == -2) {
            // entries in flight: the core holds new proposals back; ask again each tick (at most L)
            pendingChange = new PendingChange(next, future, now + settings.leaseMs());
            return;
        }
        if (index < 0) {
            future.completeExceptionally(ProposalFutures.notProposed("replica " + self + " cannot change the members"
                    + " of group " + group + " to " + AddressBook.configuration(next) + ": not serving (master is "
                    + node.masterId() + "), a change is under way, the member added not caught up or no "
                    + "caught-up majority of both configurations, or not one replica apart from "
                    + node.committedConfiguration()));
        } else {
            futures.add(index, node.epoch(), future);
        }
    }

    /** A change that waits for the entries in flight to commit (CORE-API.md rule 2), until {@code until}. */
    private record PendingChange(List<Member> next, CompletableFuture<byte[]> future, long until) {
    }

    private PendingChange pendingChange;

    private void proposeMembersAgain(PendingChange c, long now) {
        long index = node == null ? -1 : node.proposeMembers(AddressBook.configuration(c.next()),
                AddressBook.encode(c.next()), now);
        if (index == -2 && now < c.until()) {
            return; // still in flight: the next tick asks again
        }
        pendingChange = null;
        if (index < 0) {
            c.future().completeExceptionally(ProposalFutures.notProposed("replica " + self + " cannot change the"
                    + " members of group " + group + " to " + AddressBook.configuration(c.next()) + ": entries "
                    + "still in flight after L, not serving, or no caught-up majority of both configurations"));
        } else {
            futures.add(index, node.epoch(), c.future());
        }
    }

    /** As master in phase 2, replicates to {@code m} from now on (a member to be); false otherwise. */
    boolean addLearner(Member m, long now) {
        if (node == null || !node.addLearner(m.id(), now)) {
            return false;
        }
        books.addLearner(m);
        log.info("learner added replica={} group={} learner={}", self, group, m);
        return true;
    }

    /** Stops treating {@code id} as a learner (it became a member, or the add was given up). */
    void removeLearner(int id) {
        if (books.removeLearner(id) && node != null) {
            node.removeLearner(id);
        }
    }

    /** Whether the learner or member {@code id} is caught up with this master (false unless master). */
    boolean caughtUp(int id, long now) {
        return node != null && node.caughtUp(id, now);
    }

    /**
     * Ticks the node if its deadline ({@link PaxosNode#nextDeadlineMillis}, rounded up to the
     * {@code paxos.tick.ms} grid so that timers of several groups share a wake-up) has come; returns
     * when this group next needs the loop ({@code Long.MAX_VALUE}: not running). An idle group
     * sleeps until its next timer, a lapse of its published lease (to report it at once) or, while
     * a snapshot transfer runs, the next tick (chunks go out a few per pass).
     */
    long tick(long now) {
        if (node == null) {
            return Long.MAX_VALUE;
        }
        if (now >= onTickGrid(node.nextDeadlineMillis())) {
            node.tick(now);
        }
        if (pendingChange != null) {
            proposeMembersAgain(pendingChange, now);
        }
        long wake = onTickGrid(node.nextDeadlineMillis());
        if (pendingChange != null) {
            wake = Math.min(wake, now + settings.tickMs());
        }
        if (draining != null) {
            wake = Math.min(wake, drain(now));
        }
        if (keepFuturesUntil >= now && futures.size() > 0) {
            wake = Math.min(wake, keepFuturesUntil + 1); // then what still waits fails
        }
        if (compaction.sending()) {
            wake = Math.min(wake, now + settings.tickMs());
        }
        ReplicaView v = view;
        if (v.serving() && v.servingUntil() >= now) {
            wake = Math.min(wake, v.servingUntil() + 1);
        }
        if (v.leaseUntil() >= now) {
            wake = Math.min(wake, v.leaseUntil() + 1);
        }
        return wake;
    }

    /**
     * Starts handing this group's mastership to {@code target} (docs/PARTITIONING.md 1.3): serving
     * stops at once (the view is published before this returns, so before any release can leave),
     * and {@link #READ_GRACE_MS} later the node hands off ({@code PaxosNode.handOff}): it waits for
     * the target to hold its log, releases the acceptors and steps down, or gives up after L and
     * serves again. False, changing nothing, unless this replica serves the group now, no handoff
     * runs and {@code target} is another member. {@code pinned}: the target's mastership will be
     * pinned (an operator's move; placement's home rule leaves it).
     */
    boolean handOff(int target, boolean pinned, long now) {
        if (node == null || draining != null || node.handoffTarget() != 0 || !node.canServe(now) || target == self
                || books.members().stream().noneMatch(m -> m.id() == target)) {
            return false;
        }
        draining = new Draining(target, pinned, now + READ_GRACE_MS);
        log.info("handing mastership over replica={} group={} to={} pinned={} epoch={}", self, group, target, pinned,
                node.epoch());
        publish();
        return true;
    }

    /** Once the read grace passed, asks the node to hand off; returns when to look again. */
    private long drain(long now) {
        Draining d = draining;
        if (node.role() != Role.MASTER) {
            draining = null; // lost mastership meanwhile: nothing to hand over
            return Long.MAX_VALUE;
        }
        if (now < d.at()) {
            return d.at();
        }
        draining = null;
        if (node.handOff(d.target(), d.pinned(), now)) {
            handedOffAt = now;
        } else {
            log.info("handoff not started replica={} group={} to={}: no longer serving", self, group, d.target());
        }
        return onTickGrid(node.nextDeadlineMillis());
    }

    /** Proposals of ours not settled yet (any thread; as of the last publication). */
    int waiting() {
        return waiting;
    }

    /** What {@link MasterPlacement} needs of this group now; null when not running. */
    MasterPlacement.GroupFacts facts(long now) {
        if (node == null) {
            return null;
        }
        boolean master = node.role() == Role.MASTER;
        Set<Integer> caughtUp = new TreeSet<>();
        if (master) {
            for (Member m : books.members()) {
                if (node.caughtUp(m.id(), now)) {
                    caughtUp.add(m.id());
                }
            }
        }
        return new MasterPlacement.GroupFacts(group, node.masterId(), master,
                draining != null || node.handoffTarget() != 0, node.pinned(), caughtUp, node.appliedIndex());
    }

    private long onTickGrid(long t) {
        long tick = settings.tickMs();
        return Math.floorDiv(t + tick - 1, tick) * tick;
    }

    boolean hasReady() {
        return node != null && (pending != null || node.hasReady());
    }

    // ------------------------------------------------------------- one Ready around the combined write

    /**
     * Takes the node's next {@link Ready}, sends its requests (the followers' fsyncs overlap ours)
     * and returns what it needs written, or null when nothing (then no fsync is needed for it).
     */
    LogBatch takeReady() {
        pending = node.ready();
        for (Entry e : pending.entries()) {
            if (Configuration.isConfiguration(e.value())) {
                try {
                    books.written(e.index(), AddressBook.members(e.value()));
                } catch (IllegalArgumentException ex) {
                    log.warn("configuration entry without a readable address book replica={} group={} index={}", self,
                            group, e.index());
                }
            }
        }
        send(pending, false);
        return durable.batch(pending);
    }

    /** Every batch of the pass is durable: answer, apply, start snapshot transfers, advance, publish. */
    void finishReady() {
        Ready r = pending;
        pending = null;
        durable.written(r);
        send(r, true); // answers only once what they state is durable
        for (Entry e : r.committed()) {
            apply(e);
        }
        counters.commits.addAndGet(r.committed().size());
        if (!r.committed().isEmpty()) {
            machine.applyBatchDone(); // one state-store transaction per Ready, not per entry
        }
        for (int peer : r.needSnapshot()) {
            counters.catchUps.incrementAndGet();
            compaction.send(peer, machine, durable, history, node);
        }
        node.advance(r);
        if (r.status() != null) {
            log.info("paxos role changed replica={} role={} master={} epoch={} commit={} group={}", self,
                    r.status().role(), r.status().masterId(), r.status().epoch(), node.commitIndex(), group);
        }
        publish();
    }

    /** End of a loop pass: a few snapshot chunks, compaction if due, the view. */
    void endPass() {
        if (node == null) {
            return;
        }
        compaction.pump();
        compaction.maybeCompact(machine, node, durable);
        publish();
    }

    private void send(Ready r, boolean answers) {
        for (Message m : r.messages()) {
            if (m.answersPeer() == answers) {
                if (log.isTraceEnabled()) {
                    log.trace("send replica={} group={} msg={}", self, group, m);
                }
                outbox.send(group, m);
            }
        }
    }

    private void apply(Entry e) {
        if (e.index() <= machine.appliedIndex()) {
            return; // already reflected (recovered state or installed snapshot)
        }
        byte[] value = e.value();
        if (Configuration.isConfiguration(value)) {
            applyConfiguration(e.index(), value);
            value = new byte[0]; // the state machine sees a no-op: indexes and checksums stay equal everywhere
        }
        byte[] result = machine.apply(e.index(), e.epoch(), value);
        futures.applied(e.index(), e.epoch(), result == null ? new byte[0] : result);
    }

    /** A committed configuration entry: recorded durably before the state machine moves past it. */
    private void applyConfiguration(long index, byte[] value) {
        List<Member> next;
        try {
            next = AddressBook.members(value);
        } catch (IllegalArgumentException ex) {
            // Only a master of this edge writes one: an unreadable book is a bug, never a reason to diverge.
            throw new IllegalStateException("unreadable configuration entry at index " + index + " group " + group, ex);
        }
        history.record(index, value);
        books.appliedThrough(index);
        books.members(next);
        log.info("members changed replica={} group={} index={} members={}", self, group, index, next);
    }

    // ------------------------------------------------------------- snapshots

    /** A snapshot chunk; once the snapshot is installed, the group moves to it (members, futures, node). */
    private void onSnapshotPiece(SnapshotPiece s) {
        GroupCompaction.Installed whole = compaction.receive(s, machine, durable);
        if (whole == null) {
            return;
        }
        futures.supersededThrough(s.index());
        Configuration installed = null;
        if (whole.configuration().length > 0) {
            installed = Configuration.decode(whole.configuration());
            history.record(s.index(), whole.configuration());
            books.members(AddressBook.members(whole.configuration()));
        }
        books.appliedThrough(s.index());
        node.snapshotInstalled(s.index(), installed);
        compaction.countFrom(s.index());
        counters.snapshotsInstalled.incrementAndGet();
        log.info("snapshot installed replica={} from={} index={} bytes={} checksum={} group={}", self, s.from(),
                s.index(), whole.bytes(), s.checksum(), group);
    }

    // ------------------------------------------------------------- what other threads see

    /**
     * Publishes the view for other threads, then reports mastership changes to the listeners, in
     * that order: a listener that proposes from {@code becameMaster} finds {@code isMaster()} true.
     * Runs after every Ready and at the end of every pass (the lease can lapse with no Ready).
     */
    private void publish() {
        long now = clock.getAsLong();
        boolean serving = draining == null && node.canServe(now);
        long horizon = settings.leaseMs() + 1;
        view = new ReplicaView(node.role(), node.masterId(), node.epoch(), node.commitIndex(), machine.appliedIndex(),
                machine.checksum(), durable.firstIndex(), serving,
                serving ? ReplicaView.lastTrue(now, horizon, node::canServe) : Long.MIN_VALUE,
                node.leaseValid(now) ? ReplicaView.lastTrue(now, horizon, node::leaseValid) : Long.MIN_VALUE,
                node.masterLive(now) ? ReplicaView.lastTrue(now, horizon, node::masterLive) : Long.MIN_VALUE);
        boolean lost = tracker.update(serving, node.masterId(), node.epoch(), machine.appliedIndex());
        boolean sameEpoch = lost && tracker.lossKeptEpoch();
        // A handing-over master stops serving first and replicates on: what it proposed before commits
        // (the target holds it all and re-proposes it with its epoch) and completes here, also for a
        // lease after stepping down; then what still waits fails.
        // A master whose latest configuration drops it stops serving once the entry is written (CORE-API.md
        // rule 7) but replicates on until it commits, then hands over: its futures (the change's own
        // among them) complete as for a handover, not fail on the lost lease (MembershipIT).
        boolean removingItself = node.role() == Role.MASTER && !node.configuration().members().contains(self);
        boolean handingOver = draining != null || node.handoffTarget() != 0 || removingItself;
        if (handedOffAt != Long.MIN_VALUE && node.role() != Role.MASTER) {
            keepFuturesUntil = now + settings.leaseMs();
            handedOffAt = Long.MIN_VALUE;
        } else if (handedOffAt != Long.MIN_VALUE && node.handoffTarget() == 0) {
            handedOffAt = Long.MIN_VALUE; // given up: serving again
        }
        boolean keeping = now <= keepFuturesUntil;
        // A lapse at the same epoch (still MASTER) keeps them: they settle as their entries apply
        // (CORE-API.md "A lapse at the same epoch keeps its proposals").
        if (PendingProposalRule.failNow(lost, node.role() == Role.MASTER, sameEpoch, handingOver, keeping,
                futures.size())) {
            futures.failAll("replica " + self + " lost mastership");
            compaction.cancelTransfers();
        }
        waiting = futures.size();
    }

    /** From any thread. */
    ConsensusStatus status() {
        return view.status(self, clock.getAsLong(), group);
    }
}
