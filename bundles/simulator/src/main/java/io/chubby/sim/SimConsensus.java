package io.chubby.sim;

import io.chubby.paxos.internal.MastershipTracker;
import io.chubby.paxos.internal.ProposalFutures;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusListener;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.Member;
import io.chubby.spi.StateMachine;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link Consensus} SPI of one Paxos group of a simulated replica, over its Paxos core: what session-mgr's
 * {@code CellServer} talks to in the whole-cell simulation. It keeps the real edge's rules: a
 * proposal is queued and proposed on the replica's next loop pass (never on the caller's stack),
 * its future completes when the entry at its index is applied with the same epoch
 * ({@link ProposalFutures}, the replica loop's own class) and fails NOT_MASTER on a loss of
 * mastership as the loop's {@code PendingProposalRule} says ({@link SimCellGroup#publish}: a lapse
 * of the lease at the same epoch keeps it); listeners hear about mastership through the loop's own
 * {@link MastershipTracker}.
 * Single-threaded (the simulation's).
 */
final class SimConsensus implements Consensus {
    private record Queued(byte[] command, CompletableFuture<byte[]> future) {
    }

    private final SimCellReplica replica;
    /** The Paxos group (of {@link #replica}) this is the consensus of. */
    private final SimCellGroup group;
    final MastershipTracker tracker;
    final ProposalFutures<Long> futures = new ProposalFutures<>();
    final ArrayDeque<Queued> queued = new ArrayDeque<>();
    StateMachine machine;

    SimConsensus(SimCellReplica replica, SimCellGroup group) {
        this.replica = replica;
        this.group = group;
        this.tracker = new MastershipTracker(replica.id);
    }

    @Override
    public void register(StateMachine m) {
        this.machine = m;
        if (group.group != 0) {
            replica.groupStarted(group, m); // group 0's core is made by the replica once its host started
        }
    }

    @Override
    public void unregister(StateMachine m) {
        if (machine == m) {
            machine = null;
        }
    }

    @Override
    public CompletableFuture<byte[]> propose(byte[] command) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        if (!isMaster()) {
            f.completeExceptionally(ProposalFutures.notMaster("replica " + replica.id + " is not master (master is "
                    + masterId() + ")"));
            return f;
        }
        queued.add(new Queued(command.clone(), f));
        replica.wantLoop();
        return f;
    }

    /** The loop pass: hands every queued command to the core. */
    void proposeQueued() {
        for (Queued q; (q = queued.poll()) != null; ) {
            long index = group.node == null ? -1 : group.node.propose(q.command(), replica.paxosNow());
            if (index < 0) {
                q.future().completeExceptionally(ProposalFutures.notMaster("replica " + replica.id
                        + " is not master (master is " + masterId() + ")"));
            } else {
                futures.add(index, group.node.epoch(), q.future());
            }
        }
    }

    /** The replica stopped (crash): every pending proposal has an unknown outcome. */
    void failAll(String why) {
        futures.failAll(why);
        for (Queued q; (q = queued.poll()) != null; ) {
            q.future().completeExceptionally(ProposalFutures.notMaster(why));
        }
    }

    @Override
    public boolean isMaster() {
        var n = group.node;
        if (n == null) {
            return false;
        }
        return switch (replica.bug()) {
            // once serving, it goes on while its role says master, lease or not
            case READS_FROM_LAPSED_LEASE -> n.canServe(replica.paxosNow())
                    || (tracker.serving() && n.role() == io.chubby.paxos.core.Role.MASTER);
            case SKIP_THE_BARRIER -> n.leaseValid(replica.paxosNow());
            default -> n.canServe(replica.paxosNow());
        };
    }

    @Override
    public long epoch() {
        return group.node == null ? 0 : group.node.epoch();
    }

    @Override
    public int masterId() {
        return group.node == null ? 0 : group.node.masterId();
    }

    @Override
    public Member self() {
        return replica.members.get(replica.id - 1);
    }

    @Override
    public List<Member> members() {
        return replica.members;
    }

    @Override
    public ConsensusStatus status() {
        var n = group.node;
        long applied = machine == null ? 0 : machine.appliedIndex();
        long sum = machine == null ? 0 : machine.checksum();
        return new ConsensusStatus(replica.id, n == null ? "down" : n.role().name().toLowerCase(java.util.Locale.ROOT),
                masterId(), epoch(), n == null ? 0 : n.commitIndex(), applied, sum, group.storage.firstIndex(),
                n != null && n.leaseValid(replica.paxosNow()));
    }

    @Override
    public void addListener(ConsensusListener l) {
        tracker.add(l);
    }

    @Override
    public void removeListener(ConsensusListener l) {
        tracker.remove(l);
    }
}
