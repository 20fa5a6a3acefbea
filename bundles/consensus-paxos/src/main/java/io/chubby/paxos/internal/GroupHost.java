package io.chubby.paxos.internal;

import io.chubby.paxos.core.PaxosConfig;
import io.chubby.spi.ConsensusGroups;
import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStores;
import io.chubby.spi.Member;
import io.chubby.spi.PeerTransport;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Paxos groups one replica hosts, driven by one loop thread ({@code paxos-loop-<id>}, this
 * object's {@link #run}) over one peer transport and one {@link LogStores}
 * (docs/PARTITIONING.md 1.2). Each group is a {@link PaxosGroup}; its {@link io.chubby.spi.Consensus} face is a
 * {@link GroupConsensus}. Other threads only queue work ({@link #inbox}, {@link #proposals}) and read
 * the views the groups publish.
 *
 * <p>A loop pass: take everything queued (peer messages routed by group, proposals, control tasks)
 * and feed it to the groups, tick the groups whose tick is due, then take one {@code Ready} of every
 * group that has one: send its requests, write all their batches in ONE
 * {@link LogStores#writeAll} (one transaction, at most one fsync: group commit across groups), then
 * per group send its answers, apply, advance. Then per group a few snapshot chunks, compaction if
 * due, the published view. A group with more Readies gets them in the next passes, which do not wait.
 * With more than one group open, a {@link PeerOutbox} sends what a pass has for a peer as one
 * {@code PeerBatch} (requests before the write, answers after it); masters renew on one grid, so
 * idle groups cost a few bytes in a frame that goes anyway. The loop then sleeps until the
 * earliest deadline of any group ({@link PaxosGroup#tick}): idle groups are not ticked.
 *
 * <p>Peers announce the peer protocol minor they speak ({@code Capabilities}, {@link #peerMinors}).
 * Cross-group messages ({@code CrossRequest}, {@code CrossReply}: docs/PARTITIONING.md 4.4) share the
 * transport but not the loop: {@link #sendCross} sends on the caller's thread and a received one goes
 * to the {@link #crossHandler} on the transport thread; their contents are the cell's.
 *
 * <p>While more than one group is open, once per renew period (in a pass that renews anyway) the
 * loop asks its {@link MasterPlacement} whether to hand a group it masters to another replica (the
 * group's home, or away from an overloaded loop, measured by {@link LoopLoad}) and starts that
 * handoff ({@link PaxosGroup#handOff}). With one group open nothing is ever moved.
 * The planned moves from outside the loop (before leaving, the operator's transfer) are
 * {@link Handoffs}'; the operator's member changes are {@link MemberChanges}'; both reach the
 * groups through {@link #onLoop}.
 *
 * <p>Group 0's peer messages travel unwrapped, so a replica hosting only group 0 sends what a
 * replica before groups sent; a message for a group not open here is dropped like one for a
 * replica that is down. A failure of any group's storage or state machine stops the loop, and so
 * every group of the replica (fail-stop).
 */
final class GroupHost implements Runnable, ConsensusGroups {
    private static final Logger log = LoggerFactory.getLogger(GroupHost.class);
    private static final Object WAKE = new Object();
    /** The longest the loop sleeps when no group needs it sooner. */
    private static final long IDLE_WAKE_MS = 1000;
    /** The longest wait between two requests for the Capabilities of a silent peer. */
    private static final long ANNOUNCE_MAX_MS = 60_000;

    private record Proposal(int group, byte[] command, CompletableFuture<byte[]> future) {
    }

    /** A decoded peer message and the group it is for. */
    private record Inbound(int group, PeerCodec.Decoded message) {
    }

    /** A peer's {@code Capabilities}, as the transport's sender id says. */
    private record PeerCaps(int from, int peerMinor, boolean reply) {
    }

    private final ReplicaSettings settings;
    private final PaxosConfig config;
    /** Where the masters of the groups this replica masters should be. Loop thread. */
    private final MasterPlacement placement;
    private final Handoffs handoffs;
    private final LoopLoad load = new LoopLoad(System::nanoTime);
    /** When the loop next asks {@link #placement}. Loop thread. */
    private long nextPlacement = Long.MIN_VALUE;
    private final int self;
    private final LogStores stores;
    private final PeerTransport transport;
    private final LongSupplier clock;
    private final long seed;
    /** Peer messages and control tasks: always drained completely, so lease acks never wait behind a burst of writes. */
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    /** Client proposals of every group: drained up to a budget per pass. {@link #queued} wakes the loop once per burst. */
    private final ConcurrentLinkedQueue<Proposal> proposals = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** The open groups' faces, for any thread. */
    private final Map<Integer, GroupConsensus> faces = new ConcurrentHashMap<>();
    /** Deletes compacted log entries off the loop thread, for every group. */
    private final ExecutorService compactor;
    private final Thread thread;
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private volatile boolean running = true;
    /** Core messages out, coalesced per peer while more than one group is open. Loop thread. */
    private final PeerOutbox outbox;
    /** The peer protocol minor each peer announced ({@code Capabilities}). */
    private final Map<Integer, Integer> peerMinors = new ConcurrentHashMap<>();
    /** Where received cross-group messages go (the cell host's channel), or null. */
    private volatile PeerTransport.PeerHandler crossHandler;
    /** Whether this replica joins a running cell: with an empty disk its groups start with no configuration. */
    private volatile boolean joining;
    /** The replicas linked to (loop thread writes): the identity's members until the groups' members change. */
    private volatile List<Member> peers;
    /** When the loop next asks the peers whose minor is unknown. Loop thread. */
    private long nextAnnounce = Long.MIN_VALUE;
    private long announceEvery;

    /**
     * The open groups in increasing order, iterated by the loop thread. Put and removed by any
     * thread: a group's mutable state is built only by {@code attach}, on the loop thread.
     */
    private final ConcurrentSkipListMap<Integer, PaxosGroup> groups = new ConcurrentSkipListMap<>();

    /**
     * Starts the loop thread at once and becomes the transport's handler.
     *
     * @param clock this replica's local clock in milliseconds, never decreasing
     * @param seed  seed of the election jitter (each group draws from its own stream of it)
     */
    GroupHost(ReplicaSettings settings, PlacementSettings placement, LogStores stores, PeerTransport transport,
              LongSupplier clock, long seed) {
        this.settings = settings;
        this.peers = settings.members();
        this.placement = new MasterPlacement(settings.replicaId(),
                settings.members().stream().map(m -> m.id()).toList(), placement);
        this.handoffs = new Handoffs(this, this.placement);
        this.self = settings.replicaId();
        PaxosConfig d = PaxosConfig.defaults(self, settings.members().stream().map(m -> m.id()).toList());
        this.config = new PaxosConfig(self, d.replicas(), settings.leaseMs(), settings.renewMs(), settings.maxDrift(),
                Math.max(1, settings.leaseMs() / 5), Math.max(1, Math.min(d.retryMillis(), settings.renewMs() / 2)),
                settings.batchMaxEntries(), d.maxBatchBytes(), d.maxInflight());
        this.stores = stores;
        this.transport = transport;
        this.clock = clock;
        this.seed = seed;
        this.outbox = new PeerOutbox(self, transport);
        this.compactor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "paxos-compact-" + self);
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(this, "paxos-loop-" + self);
        thread.setDaemon(true);
        thread.start();
        transport.setHandler(this::onPeerMessage);
    }

    ReplicaSettings settings() {
        return settings;
    }

    long now() {
        return clock.getAsLong();
    }

    boolean running() {
        return running;
    }

    /** Loop passes so far (tests: combined writes per pass). */
    long passes() {
        return passes.get();
    }

    /** The planned moves of mastership away from this replica (before leaving, and the operator's). */
    Handoffs handoffs() {
        return handoffs;
    }

    /** The loop's busy fraction over its last one-second window (0..1). */
    double busy() {
        return load.busy();
    }

    /** Combined log writes so far ({@link LogStores#writeAll} calls; at most one per pass). */
    long writes() {
        return writes.get();
    }

    /** Transport messages of the core sent so far (tests: coalescing). */
    long framesSent() {
        return outbox.frames();
    }

    /** Core messages sent so far. */
    long messagesSent() {
        return outbox.messages();
    }

    /**
     * The peer protocol minor every peer that announced one speaks (peer id to minor): partitions
     * can be recorded only once every member announced one that has them (docs/PARTITIONING.md 1.2).
     */
    @Override
    public Map<Integer, Integer> peerMinors() {
        return Map.copyOf(peerMinors);
    }

    // ------------------------------------------------------------- ConsensusGroups, any thread

    @Override
    public GroupConsensus open(int group) {
        if (group < 0 || group >= io.chubby.api.PartitionHash.SLOTS) {
            throw new IllegalArgumentException("group " + group + " out of range 0.."
                    + (io.chubby.api.PartitionHash.SLOTS - 1));
        }
        GroupConsensus face = faces.get(group);
        if (face != null) {
            return face;
        }
        synchronized (faces) {
            face = faces.get(group);
            if (face == null) {
                PaxosGroup g = new PaxosGroup(group, settings, config, stores.group(group), transport, outbox,
                        clock, seed + group * 0x9E3779B97F4A7C15L, compactor);
                groups.put(group, g);
                face = new GroupConsensus(this, g);
                faces.put(group, face);
            }
            return face;
        }
    }

    /** Closes group {@code group} (its state machine is detached, its data stays); group 0 closes with the replica. */
    @Override
    public void close(int group) {
        if (group == 0) {
            throw new IllegalArgumentException("group 0 is the Consensus service's: it closes with the replica");
        }
        GroupConsensus face;
        synchronized (faces) {
            face = faces.remove(group);
        }
        if (face != null) {
            face.detachRegistered();
            groups.remove(group);
        }
    }

    @Override
    public List<Integer> opened() {
        return faces.keySet().stream().sorted().toList();
    }

    // ------------------------------------------------------------- any thread

    /**
     * From a transport thread: decode here (off the loop), unpack a batch, route by group, queue.
     * Garbage is dropped (a whole batch with it).
     */
    void onPeerMessage(int from, byte[] bytes) {
        try {
            PeerCodec.Decoded d = PeerCodec.decode(bytes);
            if (d instanceof PeerCodec.Cross c) {
                deliverCross(from, c);
            } else if (d instanceof PeerCodec.Batch b) {
                List<Object> all = new ArrayList<>(b.messages().size());
                for (PeerCodec.Decoded one : b.messages()) {
                    all.add(inbound(from, one));
                }
                inbox.add(all); // one item: the loop handles a batch in one pass, so its answers share a frame
            } else {
                inbox.add(inbound(from, d));
            }
        } catch (IllegalArgumentException e) {
            log.warn("dropped malformed peer message replica={} from={} error={}", self, from, e.getMessage());
        }
    }

    /**
     * A cross-group message goes to the cell's handler here, on the transport thread, never through
     * the loop: it is not the groups' business, and the handler only queues a proposal. A message
     * nobody listens for yet is dropped (the sender times out and sends again).
     */
    private void deliverCross(int from, PeerCodec.Cross c) {
        PeerTransport.PeerHandler h = crossHandler;
        if (h == null) {
            log.debug("dropped cross-group message replica={} from={}: no handler", self, from);
            return;
        }
        try {
            h.onMessage(from, c.message());
        } catch (RuntimeException e) {
            log.warn("cross-group handler failed replica={} from={}", self, from, e);
        }
    }

    /** Sends a cross-group message to {@code replica} at once, from the caller's thread (the transport never blocks). */
    @Override
    public void sendCross(int replica, byte[] message) {
        transport.send(replica, PeerCodec.cross(self, replica, message));
    }

    @Override
    public void crossHandler(PeerTransport.PeerHandler handler) {
        this.crossHandler = handler;
    }

    private static Object inbound(int from, PeerCodec.Decoded d) {
        if (d instanceof PeerCodec.Grouped g) {
            return new Inbound(g.group(), g.message());
        }
        if (d instanceof PeerCodec.Capabilities c) {
            return new PeerCaps(from, c.peerMinor(), c.reply());
        }
        return new Inbound(0, d);
    }

    /** Each open group's counters, in group order (any thread). */
    Map<Integer, GroupCounters> counters() {
        Map<Integer, GroupCounters> out = new TreeMap<>();
        groups.forEach((id, g) -> out.put(id, g.counters()));
        return out;
    }

    CompletableFuture<byte[]> propose(int group, byte[] command) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        proposals.add(new Proposal(group, command.clone(), f));
        if (queued.getAndIncrement() == 0) {
            inbox.add(WAKE); // the loop may be asleep on the inbox: one token per burst is enough
        }
        if (!running) {
            failQueuedProposals(); // the loop stopped after the caller's check and may have drained already
        }
        return f;
    }

    /** See {@link #joining}; set before the state machines register. */
    void joining(boolean join) {
        this.joining = join;
    }

    boolean joining() {
        return joining;
    }

    /**
     * Proposes {@code next} as group {@code group}'s members (one replica added or removed: CORE-API.md
     * "Changing the members"); the future completes once the configuration entry is applied here, and
     * fails at once when this replica cannot propose it (not serving, a change under way, too far apart).
     */
    CompletableFuture<byte[]> proposeMembers(int group, List<Member> next) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        PaxosGroup g = groups.get(group);
        if (g == null || !running) {
            f.completeExceptionally(ProposalFutures.notProposed("group " + group + " is not open on running replica "
                    + self));
            return f;
        }
        inbox.add((Runnable) () -> g.proposeMembers(List.copyOf(next), f, now()));
        if (!running) {
            f.completeExceptionally(ProposalFutures.notProposed("replica " + self + " stopped"));
        }
        return f;
    }

    private void failQueuedProposals() {
        for (Proposal p; (p = proposals.poll()) != null; ) {
            p.future.completeExceptionally(ProposalFutures.notProposed("replica " + self + " stopped"));
        }
    }

    /** Runs {@code task} on the loop thread and waits; directly when already there (a listener calling us). */
    void onLoop(Runnable task) {
        if (onLoopThread()) {
            task.run();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            throw new IllegalStateException("replica loop " + self + " is stopped");
        }
        inbox.add((Runnable) () -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("replica loop did not answer within 10 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Whether the caller is the loop thread. */
    boolean onLoopThread() {
        return Thread.currentThread() == thread;
    }

    /** The groups open here, in increasing order (a copy). */
    List<PaxosGroup> openGroups() {
        return new ArrayList<>(groups.values());
    }

    /** Group {@code group}, open here; IllegalArgumentException when it is not. */
    PaxosGroup openGroup(int group) {
        PaxosGroup g = groups.get(group);
        if (g == null) {
            throw new IllegalArgumentException("group " + group + " is not open on replica " + self);
        }
        return g;
    }

    /** Stops the loop and waits up to 5 s for it. */
    void stop() {
        transport.setHandler(null);
        running = false;
        inbox.add((Runnable) () -> { });
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------- loop thread

    @Override
    public void run() {
        try {
            long nextTick = now();
            while (running) {
                boolean busy = queued.get() > 0 || anyReady();
                long waitFrom = System.nanoTime();
                Object first = inbox.poll(busy ? 0 : Math.max(0, nextTick - now()), TimeUnit.MILLISECONDS);
                load.waited(System.nanoTime() - waitFrom);
                for (Object o = first; o != null; o = inbox.poll()) {
                    handle(o);
                }
                int budget = 4 * settings.batchMaxEntries();
                for (Proposal p; budget-- > 0 && (p = proposals.poll()) != null; ) {
                    queued.decrementAndGet();
                    propose(p);
                }
                long now = now();
                outbox.coalesce(groups.size() > 1);
                nextTick = now + IDLE_WAKE_MS;
                if (now >= nextAnnounce) {
                    announce(now);
                }
                if (peerMinors.size() < peers.size() - 1) {
                    nextTick = Math.min(nextTick, nextAnnounce);
                }
                if (groups.size() > 1) {
                    if (now >= nextPlacement) {
                        place(now);
                        nextPlacement = config.nextRenewal(now); // the pass that renews the leases
                    }
                    nextTick = Math.min(nextTick, nextPlacement);
                }
                for (PaxosGroup g : groups.values()) {
                    nextTick = Math.min(nextTick, g.tick(now));
                }
                persistPass();
                for (PaxosGroup g : groups.values()) {
                    g.endPass();
                }
                followMembers();
                outbox.flush();
                passes.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            // Fail-stop: a replica whose storage or state machine failed must not keep voting.
            log.error("replica loop failed, replica stops replica={} error={}", self, e.toString(), e);
        } finally {
            running = false;
            stopCompactor();
            for (PaxosGroup g : groups.values()) {
                g.stopped();
            }
            failQueuedProposals();
            for (Object o; (o = inbox.poll()) != null; ) {
                if (o instanceof Runnable r) {
                    r.run(); // lets waiters of onLoop() finish
                }
            }
        }
    }

    /**
     * Asks every peer whose minor is unknown for its {@code Capabilities}: at start, then after a
     * lease, doubling up to {@link #ANNOUNCE_MAX_MS} while some peer stays silent (down, or a
     * replica before peer 1.3, which drops the message and logs it: about once a minute during a
     * rolling upgrade).
     */
    private void announce(long now) {
        for (Member m : peers) {
            if (m.id() != self && !peerMinors.containsKey(m.id())) {
                transport.send(m.id(), PeerCodec.capabilities(self, m.id(), true));
            }
        }
        announceEvery = announceEvery == 0 ? settings.leaseMs() : Math.min(ANNOUNCE_MAX_MS, 2 * announceEvery);
        nextAnnounce = now + announceEvery;
    }

    /**
     * Peer links follow the members (issue 19): the union of what every group needs
     * ({@link GroupAddressBooks#linkNeeds}) goes to the transport whenever it changes.
     */
    private void followMembers() {
        if (linksUpToDate()) {
            return; // every loop pass asks: the fast answer allocates nothing
        }
        Set<Member> need = new LinkedHashSet<>();
        for (PaxosGroup g : groups.values()) {
            if (g.running()) {
                need.addAll(g.addressBooks().linkNeeds());
            }
        }
        if (need.isEmpty() || need.equals(new LinkedHashSet<>(peers))) {
            return;
        }
        List<Member> next = List.copyOf(need);
        log.info("peer links follow the members replica={} peers={} were={}", self, next, peers);
        peers = next;
        peerMinors.keySet().retainAll(next.stream().map(Member::id).toList());
        transport.linkPeers(next);
    }

    /**
     * Whether the peer links are exactly what the running groups need (every needed member is a
     * peer and every peer is needed), checked without building the sets {@link #followMembers}
     * compares; false also when no group runs (the slow path then keeps the links).
     */
    private boolean linksUpToDate() {
        boolean anyRunning = false;
        for (PaxosGroup g : groups.values()) {
            if (g.running()) {
                anyRunning = true;
                if (!g.addressBooks().linkNeedsWithin(peers)) {
                    return false;
                }
            }
        }
        if (!anyRunning) {
            return false;
        }
        for (Member p : peers) {
            boolean needed = false;
            for (PaxosGroup g : groups.values()) {
                if (g.running() && g.addressBooks().needsLink(p)) {
                    needed = true;
                    break;
                }
            }
            if (!needed) {
                return false;
            }
        }
        return true;
    }

    /** Asks the placement for a move and starts it (a handoff); before the groups tick. */
    private void place(long now) {
        List<MasterPlacement.GroupFacts> facts = new ArrayList<>();
        for (PaxosGroup g : groups.values()) {
            MasterPlacement.GroupFacts f = g.facts(now);
            if (f != null) {
                facts.add(f);
            }
        }
        placement.next(now, facts, load.busy()).ifPresent(m -> {
            PaxosGroup g = groups.get(m.group());
            if (g != null && g.handOff(m.target(), m.pinned(), now)) {
                log.info("master placement moves a group replica={} group={} to={} reason={} busy={}", self,
                        m.group(), m.target(), m.reason(), String.format("%.2f", load.busy()));
            }
        });
    }

    private boolean anyReady() {
        for (PaxosGroup g : groups.values()) {
            if (g.hasReady()) {
                return true;
            }
        }
        return false;
    }

    private void handle(Object o) {
        if (o instanceof List<?> batch) {
            for (Object one : batch) {
                handle(one);
            }
        } else if (o instanceof Runnable r) {
            r.run();
        } else if (o instanceof PeerCaps c) {
            if (peers.stream().noneMatch(m -> m.id() == c.from()) || c.from() == self) {
                return;
            }
            Integer before = peerMinors.put(c.from(), c.peerMinor());
            if (before == null || before != c.peerMinor()) {
                log.info("peer capabilities replica={} peer={} peerMinor={}", self, c.from(), c.peerMinor());
            }
            if (c.reply()) {
                transport.send(c.from(), PeerCodec.capabilities(self, c.from(), false));
            }
        } else if (o instanceof Inbound in) {
            PaxosGroup g = groups.get(in.group());
            if (g != null) {
                g.step(in.message(), now());
            }
        }
    }

    private void propose(Proposal p) {
        PaxosGroup g = groups.get(p.group());
        if (g == null) {
            p.future.completeExceptionally(ProposalFutures.notProposed("group " + p.group() + " is not open on replica "
                    + self));
        } else {
            g.propose(p.command(), p.future(), now());
        }
    }

    /**
     * One Ready of every group that has one, around ONE combined write: requests out, every batch
     * written together (one fsync if any asks for it), then answers, applies and advances per group.
     */
    private void persistPass() {
        List<PaxosGroup> ready = new ArrayList<>();
        Map<Integer, LogBatch> batches = new TreeMap<>();
        for (PaxosGroup g : groups.values()) {
            if (g.hasReady()) {
                LogBatch b = g.takeReady();
                ready.add(g);
                if (b != null) {
                    batches.put(g.id(), b);
                }
            }
        }
        outbox.flush(); // every group's requests, before the fsync: the followers write while we do
        if (!batches.isEmpty()) {
            stores.writeAll(batches);
            writes.incrementAndGet();
        }
        for (PaxosGroup g : ready) {
            g.finishReady();
        }
        outbox.flush(); // every group's answers
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
}
