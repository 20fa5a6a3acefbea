package io.chubby.spi;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The Paxos groups one replica process hosts. Group 0 is today's cell and stays reachable as the
 * {@link Consensus} service; groups 1..N-1 of a partitioned cell are reached only through this
 * service. All groups share the replica's loop thread, its peer connections and one fsync per loop
 * pass ({@link LogStores#writeAll}).
 *
 * <p>Provided by consensus-paxos from docs/PARTITIONING.md step 3 ({@code GroupHost}) and consumed
 * by session-mgr's cell host from step 7, which opens groups 1..N-1 once the cell has recorded N.
 * With N = 1 only group 0 is ever open.
 */
@ProviderType
public interface ConsensusGroups {

    /**
     * Opens group {@code group} on this replica (its log and state in the group's own stores), or
     * returns the already open one. Opening group 0 returns the {@link Consensus} service's group.
     *
     * @throws IllegalArgumentException if {@code group} is negative or not below
     *     {@link io.chubby.api.PartitionHash#SLOTS}
     */
    Consensus open(int group);

    /** Stops taking part in {@code group} on this replica (component shutdown); its data stays. */
    void close(int group);

    /** The groups open on this replica, in increasing order. */
    List<Integer> opened();

    /**
     * The peer protocol minor each other member announced to this replica (member id to minor);
     * a member that has not announced one is absent. A cell records N > 1 partitions only once
     * every member speaks a minor that has the grouped peer messages (docs/PARTITIONING.md 1.2).
     * Since spi 1.6; an implementation that does not know returns an empty map (the default).
     */
    default Map<Integer, Integer> peerMinors() {
        return Map.of();
    }

    /**
     * Sends one cross-group message (docs/PARTITIONING.md 4.4: a step of a directory operation from
     * the master of one group to the master of another, and its answer) to replica {@code replica}
     * over this replica's peer links. {@code message} is a serialized {@code chubby.peer.v1}
     * {@code PeerMessage} whose body is a {@code CrossRequest} or a {@code CrossReply}; its
     * {@code from} and {@code to} are set here. Delivery is best-effort, as for every peer message:
     * the caller times out and sends again. Never blocks on the network. Since spi 1.13; the default
     * has no channel.
     *
     * @throws IllegalArgumentException if {@code message} is not such a message
     * @throws UnsupportedOperationException if this implementation carries no cross-group messages
     */
    default void sendCross(int replica, byte[] message) {
        throw new UnsupportedOperationException("no cross-group channel in " + getClass().getSimpleName());
    }

    /**
     * Sets the receiver of the cross-group messages other replicas send (replacing any earlier one;
     * null detaches it): the whole {@code PeerMessage} as received, with the sender's replica id as
     * the transport authenticated it. Called on transport threads: the handler must not block.
     * Since spi 1.13; the default never delivers anything.
     */
    default void crossHandler(PeerTransport.PeerHandler handler) {
    }
}
