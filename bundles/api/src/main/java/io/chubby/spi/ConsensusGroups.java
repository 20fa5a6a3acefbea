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
}
