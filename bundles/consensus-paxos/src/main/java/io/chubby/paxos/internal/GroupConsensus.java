package io.chubby.paxos.internal;

import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusListener;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.Member;
import io.chubby.spi.StateMachine;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link Consensus} of one group of a {@link GroupHost}: what {@link io.chubby.spi.ConsensusGroups#open}
 * returns, and what {@link PaxosReplica} delegates to for group 0. Safe from any thread: it queues
 * work for the host's loop or reads the group's published view. Listener and state machine calls
 * happen on the loop thread: they must not block on a proposal's future (only the loop completes
 * it).
 */
final class GroupConsensus implements Consensus {
    private final GroupHost host;
    private final PaxosGroup group;
    private volatile StateMachine registered;

    GroupConsensus(GroupHost host, PaxosGroup group) {
        this.host = host;
        this.group = group;
    }

    /** The group's id on the host. */
    int group() {
        return group.id();
    }

    @Override
    public void register(StateMachine machine) {
        host.onLoop(() -> group.attach(machine, host.joining()));
        registered = machine;
    }

    /**
     * Detaches {@code machine}; if this replica serves the group, it first hands the group to a
     * caught-up replica and waits (briefly) until it stepped down ({@link Handoffs#handOverBeforeLeaving}),
     * so a planned stop of the cell layer is a handoff, not a failover.
     */
    @Override
    public void unregister(StateMachine machine) {
        if (registered == machine) {
            registered = null;
            host.handoffs().handOverBeforeLeaving(group);
        }
        host.onLoop(() -> group.detach(machine));
    }

    /** Detaches the registered state machine, if any (close); quiet when the loop already stopped. */
    void detachRegistered() {
        StateMachine m = registered;
        if (m != null) {
            try {
                unregister(m);
            } catch (IllegalStateException e) {
                // The loop already stopped (fail-stop or double close): nothing left to detach.
            }
        }
    }

    /**
     * An operator's move-master: hands this group's mastership from this replica to {@code target}
     * ({@link PaxosGroup#handOff}, pinned, so placement's home rule leaves it there). Waits for the
     * loop to start it, not for the target to take over. False when this replica does not serve the
     * group now, a handoff already runs, or {@code target} is not another member.
     */
    public boolean handOff(int target) {
        boolean[] started = new boolean[1];
        host.onLoop(() -> started[0] = group.handOff(target, true, host.now()));
        return started[0];
    }

    @Override
    public CompletableFuture<byte[]> propose(byte[] command) {
        if (!isMaster()) {
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            ReplicaView v = group.view();
            int self = host.settings().replicaId();
            // A master that does not serve (handing over, or its lease lapsed) refuses without
            // proposing: CELL_UNAVAILABLE says nothing was applied (a failed future's NOT_MASTER
            // reads as "outcome unknown" to session-mgr).
            f.completeExceptionally(v.role() == io.chubby.paxos.core.Role.MASTER && v.masterId() == self
                    ? ProposalFutures.notProposed("replica " + self + " masters group " + group.id()
                            + " but does not serve now (handing over, or its lease lapsed)")
                    : ProposalFutures.notMaster("replica " + self + " is not master ("
                            + ProposalFutures.masterHint(self, v.masterId()) + ")"));
            return f;
        }
        return host.propose(group.id(), command);
    }

    /** Whether this replica may serve now, from any thread (see {@link ReplicaView#servingUntil}). */
    @Override
    public boolean isMaster() {
        // The clock first, then the view: a view loaded before a newer one was published (a
        // handoff withdrawing it) is judged at a time before that publication, never after it.
        long now = host.now();
        return host.running() && group.view().canServe(now);
    }

    @Override
    public long epoch() {
        return group.view().epoch();
    }

    @Override
    public int masterId() {
        return group.view().masterId();
    }

    @Override
    public Member self() {
        return host.settings().self();
    }

    @Override
    public List<Member> members() {
        return group.members();
    }

    @Override
    public ConsensusStatus status() {
        return group.status();
    }

    @Override
    public void addListener(ConsensusListener listener) {
        group.tracker().add(listener);
    }

    @Override
    public void removeListener(ConsensusListener listener) {
        group.tracker().remove(listener);
    }
}
