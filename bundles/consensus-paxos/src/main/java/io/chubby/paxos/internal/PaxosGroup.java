package io.chubby.paxos.internal;

import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.Message;
import io.chubby.paxos.core.PaxosConfig;
import io.chubby.paxos.core.PaxosNode;
import io.chubby.paxos.core.Ready;
import io.chubby.paxos.core.RecoveredState;
import io.chubby.paxos.core.Role;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.LogStore;
import io.chubby.spi.PeerTransport;
import io.chubby.spi.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica loop: the one thread ({@code paxos-loop-<id>}) that owns the {@link PaxosNode},
 * the {@link DurableLog}, the registered {@link StateMachine}, the proposal futures and the
 * snapshot transfers. Other threads only put work into {@link #inbox} / {@link #proposals} and read the published
 * {@link ReplicaView}.
 *
 * <p>Each iteration: take everything queued (peer messages, proposals, control tasks) and feed it
 * to the node, tick when due, then carry out every {@link Ready}: send its requests (Accepts,
 * heartbeats, prepares: the followers start their fsyncs while this replica does its own), persist
 * (one {@code LogBatch}, one fsync: everything that queued up while the previous fsync ran goes into
 * this one, which is the group commit), send its answers, apply, start snapshot transfers,
 * advance. Then compact if due and publish the new view.
 */
final class ReplicaLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaLoop.class);

    private record Proposal(byte[] command, CompletableFuture<byte[]> future) {
    }

    private final ReplicaSettings settings;
    private final PaxosConfig config;
    private final int self;
    private final LogStore store;
    private final PeerTransport transport;
    private final LongSupplier clock;
    private final SplittableRandom random;
    private final MastershipTracker tracker;
    /** Peer messages and control tasks: always drained completely, so lease acks never wait behind a burst of writes. */
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    /** Client proposals: drained up to a budget per pass. {@link #queued} counts them to wake the loop once per burst. */
    private final ConcurrentLinkedQueue<Proposal> proposals = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private static final Object WAKE = new Object();
    private final ProposalFutures<Long> futures = new ProposalFutures<>();
    private final SnapshotAssembler assembler = new SnapshotAssembler();
    private final SnapshotSender snapshots;
    private volatile ReplicaView view = ReplicaView.NONE;
    private volatile boolean running = true;

    // Loop-thread state.
    private PaxosNode node;
    private DurableLog durable;
    private StateMachine machine;
    private long nextTick;
    private long lastCompaction;
    /** Deletes compacted log entries off the loop thread (see {@link DurableLog#compactBefore}). */
    private final ExecutorService compactor;

    ReplicaLoop(ReplicaSettings settings, LogStore store, PeerTransport transport, LongSupplier clock, long seed,
                MastershipTracker tracker) {
        this.settings = settings;
        this.self = settings.replicaId();
        PaxosConfig d = PaxosConfig.defaults(self, settings.members().stream().map(m -> m.id()).toList());
        this.config = new PaxosConfig(self, d.replicas(), settings.leaseMs(), settings.renewMs(), settings.maxDrift(),
                Math.max(1, settings.leaseMs() / 5), Math.max(1, Math.min(d.retryMillis(), settings.renewMs() / 2)),
                settings.batchMaxEntries(), d.maxBatchBytes(), d.maxInflight());
        this.store = store;
        this.transport = transport;
        this.clock = clock;
        this.random = new SplittableRandom(seed);
        this.tracker = tracker;
        // The core flags a lagging peer at most once per L; the sender only suppresses exact repeats.
        this.snapshots = new SnapshotSender(self, transport, settings.leaseMs() / 2);
        this.compactor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "paxos-compact-" + self);
            t.setDaemon(true);
            return t;
        });
    }

    ReplicaView view() {
        return view;
    }

    long now() {
        return clock.getAsLong();
    }

    // ------------------------------------------------------------- any thread

    /** From a transport thread: decode here (off the loop) and queue. Garbage is dropped. */
    void onPeerMessage(int from, byte[] bytes) {
        try {
            inbox.add(PeerCodec.decode(bytes));
        } catch (IllegalArgumentException e) {
            log.warn("dropped malformed peer message replica={} from={} error={}", self, from, e.getMessage());
        }
    }

    CompletableFuture<byte[]> propose(byte[] command) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        if (!isMaster()) {
            f.completeExceptionally(ProposalFutures.notMaster("replica " + self + " is not master (master is "
                    + view.masterId() + ")"));
            return f;
        }
        proposals.add(new Proposal(command.clone(), f));
        if (queued.getAndIncrement() == 0) {
            inbox.add(WAKE); // the loop may be asleep on the inbox: one token per burst is enough
        }
        if (!running) {
            failQueuedProposals(); // the loop stopped after our check and may have drained already
        }
        return f;
    }

    private void failQueuedProposals() {
        for (Proposal p; (p = proposals.poll()) != null; ) {
            p.future.completeExceptionally(ProposalFutures.notMaster("replica " + self + " stopped"));
        }
    }

    /** Runs {@code task} on the loop thread; the future completes when it ran. */
    CompletableFuture<Void> submit(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IllegalStateException("replica loop " + self + " is stopped"));
            return done;
        }
        inbox.add((Runnable) () -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    void stop() {
        running = false;
        inbox.add((Runnable) () -> { });
    }

    // ------------------------------------------------------------- loop thread

    /** Attaches {@code m} and starts the node from disk: promised ballot, log, and m's applied index. */
    void attach(StateMachine m) {
        if (machine != null) {
            throw new IllegalStateException("a state machine is already registered on replica " + self);
        }
        machine = m;
        durable = new DurableLog(store);
        RecoveredState rec = new RecoveredState(durable.promised(), m.appliedIndex());
        long now = now();
        node = new PaxosNode(config, rec, durable, random::nextLong, now);
        nextTick = now;
        lastCompaction = compactionBase(m.appliedIndex());
        log.info("replica started replica={} cell={} promised={} applied={} log={}..{}", self, settings.cellName(),
                rec.promised(), rec.appliedIndex(), durable.firstIndex(), durable.lastIndex());
    }

    void detach(StateMachine m) {
        if (machine != m) {
            return;
        }
        futures.failAll("replica " + self + " is shutting down");
        snapshots.cancelAll();
        tracker.update(false, 0, view.epoch(), view.appliedIndex());
        machine = null;
        node = null;
        durable = null;
        view = ReplicaView.NONE;
    }

    @Override
    public void run() {
        try {
            while (running) {
                long wait = node == null ? settings.tickMs() : Math.max(0, nextTick - now());
                Object first = inbox.poll(queued.get() > 0 ? 0 : wait, TimeUnit.MILLISECONDS);
                for (Object o = first; o != null; o = inbox.poll()) {
                    handle(o);
                }
                int budget = 4 * settings.batchMaxEntries();
                for (Proposal p; budget-- > 0 && (p = proposals.poll()) != null; ) {
                    queued.decrementAndGet();
                    handle(p);
                }
                if (node == null) {
                    continue;
                }
                long now = now();
                if (now >= nextTick) {
                    node.tick(now);
                    nextTick = now + settings.tickMs();
                }
                processReady();
                snapshots.pump();
                maybeCompact();
                publish();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            // Fail-stop: a replica whose storage or state machine failed must not keep voting.
            log.error("replica loop failed, replica stops replica={} error={}", self, e.toString(), e);
        } finally {
            running = false;
            stopCompactor();
            futures.failAll("replica " + self + " stopped");
            if (tracker.serving()) {
                tracker.update(false, 0, view.epoch(), view.appliedIndex());
            }
            view = ReplicaView.NONE;
            failQueuedProposals();
            for (Object o; (o = inbox.poll()) != null; ) {
                if (o instanceof Runnable r) {
                    r.run(); // lets waiters of submit() finish
                }
            }
        }
    }

    private void handle(Object o) {
        if (o instanceof Runnable r) {
            r.run();
        } else if (node == null) {
            if (o instanceof Proposal p) {
                p.future.completeExceptionally(ProposalFutures.notMaster("replica " + self + " is not running"));
            }
        } else if (o instanceof PeerCodec.CoreMessage cm) {
            if (log.isTraceEnabled()) {
                log.trace("recv replica={} msg={}", self, cm.message());
            }
            try {
                node.step(cm.message(), now());
            } catch (IllegalArgumentException e) {
                // Bad input never kills a replica: a decodable but invalid message is dropped.
                log.warn("dropped invalid peer message replica={} msg={} error={}", self, cm.message(), e.getMessage());
            }
        } else if (o instanceof Proposal p) {
            long index = node.propose(p.command, now());
            if (index < 0) {
                p.future.completeExceptionally(ProposalFutures.notMaster("replica " + self
                        + " is not master (master is " + node.masterId() + ")"));
            } else {
                futures.add(index, node.epoch(), p.future);
            }
        } else if (o instanceof SnapshotPiece s) {
            onSnapshotPiece(s);
        }
    }

    private void processReady() {
        while (node.hasReady()) {
            Ready r = node.ready();
            send(r, false); // requests first: the followers' fsyncs overlap ours
            durable.persist(r);
            send(r, true); // answers only once what they state is durable
            for (Entry e : r.committed()) {
                apply(e);
            }
            if (!r.committed().isEmpty()) {
                machine.applyBatchDone(); // one state-store transaction per Ready, not per entry
            }
            for (int peer : r.needSnapshot()) {
                startSnapshot(peer);
            }
            node.advance(r);
            if (r.status() != null) {
                log.info("paxos role changed replica={} role={} master={} epoch={} commit={}", self, r.status().role(),
                        r.status().masterId(), r.status().epoch(), node.commitIndex());
            }
            publish();
        }
    }

    private void send(Ready r, boolean answers) {
        for (Message m : r.messages()) {
            if (m.answersPeer() == answers) {
                if (log.isTraceEnabled()) {
                    log.trace("send replica={} msg={}", self, m);
                }
                transport.send(m.to(), PeerCodec.encode(m));
            }
        }
    }

    private void apply(Entry e) {
        if (e.index() <= machine.appliedIndex()) {
            return; // already reflected (recovered state or installed snapshot)
        }
        byte[] result = machine.apply(e.index(), e.epoch(), e.value());
        futures.applied(e.index(), e.epoch(), result == null ? new byte[0] : result);
    }

    private void startSnapshot(int peer) {
        long now = now();
        if (!snapshots.wants(peer, now)) {
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            machine.writeSnapshot(out);
        } catch (IOException e) {
            log.warn("snapshot write failed replica={} peer={} error={}", self, peer, e.toString());
            return;
        }
        long index = machine.appliedIndex();
        Entry at = durable.entry(index);
        snapshots.start(peer, now, index, node.promised(), at == null ? node.epoch() : at.epoch(),
                machine.checksum(), out.toByteArray());
    }

    private void onSnapshotPiece(SnapshotPiece s) {
        if (s.to() != self || s.index() <= machine.appliedIndex()) {
            return;
        }
        byte[] whole = assembler.add(s.index(), s.offset(), s.data(), s.last());
        if (whole == null) {
            return;
        }
        try {
            machine.installSnapshot(new ByteArrayInputStream(whole));
        } catch (IOException e) {
            // The state may be half-replaced: stop rather than serve or vote from it.
            throw new IllegalStateException("snapshot install failed at index " + s.index(), e);
        }
        if (machine.appliedIndex() != s.index() || machine.checksum() != s.checksum()) {
            throw new IllegalStateException("installed snapshot does not match: index " + machine.appliedIndex()
                    + " vs " + s.index() + ", checksum " + machine.checksum() + " vs " + s.checksum());
        }
        machine.makeDurable();
        durable.truncateBefore(s.index() + 1);
        futures.supersededThrough(s.index());
        node.snapshotInstalled(s.index());
        lastCompaction = compactionBase(s.index());
        log.info("snapshot installed replica={} from={} index={} bytes={} checksum={}", self, s.from(), s.index(),
                whole.length, s.checksum());
    }

    /**
     * Every compact.every applied entries: make the state durable, then drop the log below
     * applied - keep (the deletes run on the compactor thread). Replicas are staggered by
     * {@link #compactionBase}: with the same schedule all of them would pause at the same index,
     * and a cell whose replicas all pause at once cannot renew its master's lease.
     */
    private void maybeCompact() {
        long applied = machine.appliedIndex();
        if (applied - lastCompaction < settings.compactEveryEntries() || node.hasReady()) {
            return;
        }
        machine.makeDurable();
        long before = applied - settings.compactKeepEntries();
        lastCompaction = applied;
        if (before > durable.firstIndex()) {
            durable.compactBefore(before, compactor);
            log.info("log compacted replica={} applied={} firstIndex={}", self, applied, durable.firstIndex());
        }
    }

    /** Waits up to 2 s for a running truncation; entries it leaves are deleted by the next compaction. */
    private void stopCompactor() {
        compactor.shutdown();
        try {
            if (!compactor.awaitTermination(2, TimeUnit.SECONDS)) {
                log.warn("log truncation still running at stop replica={}", self);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The applied index to count the next compaction from, shifted by this replica's position among
     * the members: with five replicas and compact.every 10,000 the first compactions happen at
     * 10,000, 8,000, 6,000, 4,000 and 2,000 entries, and every 10,000 after that.
     */
    private long compactionBase(long applied) {
        List<Integer> ids = settings.members().stream().map(m -> m.id()).sorted().toList();
        int position = Math.max(0, ids.indexOf(self));
        return applied - settings.compactEveryEntries() * position / Math.max(1, ids.size());
    }

    /**
     * Publishes the view for other threads, then reports mastership changes to the listeners, in
     * that order: a listener that proposes from {@code becameMaster} finds {@code isMaster()} true.
     * Runs after every Ready and at the end of every pass (the lease can lapse with no Ready).
     */
    private void publish() {
        long now = now();
        boolean serving = node.canServe(now);
        long horizon = settings.leaseMs() + 1;
        view = new ReplicaView(node.role(), node.masterId(), node.epoch(), node.commitIndex(), machine.appliedIndex(),
                machine.checksum(), durable.firstIndex(), serving,
                serving ? ReplicaView.lastTrue(now, horizon, node::canServe) : Long.MIN_VALUE,
                node.leaseValid(now) ? ReplicaView.lastTrue(now, horizon, node::leaseValid) : Long.MIN_VALUE);
        boolean lost = tracker.update(serving, node.masterId(), node.epoch(), machine.appliedIndex());
        if (lost || (node.role() != Role.MASTER && futures.size() > 0)) {
            futures.failAll("replica " + self + " lost mastership");
            snapshots.cancelAll();
        }
    }

    ConsensusStatus status() {
        return view.status(self, now());
    }

    /** Whether this replica may serve now, from any thread (see {@link ReplicaView#servingUntil}). */
    boolean isMaster() {
        return running && view.canServe(now());
    }
}
