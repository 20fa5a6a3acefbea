package io.chubby.spi;

import io.chubby.api.NodePath;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Which partition of a partitioned cell holds a node: node {@code D/C} lives on partition
 * {@code slotOfChildren(D) mod partitions()}, the root node on partition 0. Partition p is held by
 * Paxos group p. A cell of one partition (N = 1) is today's cell: every node on group 0.
 *
 * <p>Implemented by the partitioning bundle ({@code Fnv1aPartitioner}, docs/PARTITIONING.md
 * step 14, which calls {@link io.chubby.api.PartitionHash}) and consumed by session-mgr's cell
 * host for admission-time routing only (step 7 and step 9): which group serves a call, which group
 * holds a directory's anchor. It is never consulted while applying the log: a group's log alone
 * says what the group holds. A bound partitioner is used only while its {@link #PARTITIONS} and
 * {@link #HASH} equal the values recorded in the cell; until those steps land nothing consumes
 * this type.
 */
@ConsumerType
public interface Partitioner {
    /** Service property: the number of partitions N (an Integer, at least 1). */
    String PARTITIONS = "chubby.partitions";
    /** Service property: the hash name, e.g. {@value io.chubby.api.PartitionHash#NAME}. */
    String HASH = "chubby.partition.hash";

    /** The number of partitions N, at least 1. */
    int partitions();

    /** The name of the hash {@link #slotOfChildren} computes, e.g. "fnv1a64-v1". */
    String hashName();

    /** The slot (0..4095) of the children of {@code directory}. */
    int slotOfChildren(NodePath directory);

    /** The partition that holds the children of {@code directory} (and its anchor). */
    default int partitionOfChildren(NodePath directory) {
        return slotOfChildren(directory) % partitions();
    }

    /** The partition that holds {@code node}: its parent's children's partition; 0 for the root. */
    default int partitionOf(NodePath node) {
        return node.isRoot() ? 0 : partitionOfChildren(node.parent());
    }
}
