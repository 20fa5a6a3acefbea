package io.chubby.partition.internal;

import io.chubby.api.NodePath;
import io.chubby.api.PartitionHash;
import io.chubby.spi.Partitioner;

/**
 * The partitioner of a cell of N partitions on the reference hash ({@value PartitionHash#NAME}):
 * the children of directory D live on {@code PartitionHash.slotOf(D) mod N}, the root node on
 * partition 0. It hashes nothing itself: every path goes through {@link PartitionHash}, the
 * function the client, the proxy and the DNS bridge call too, so all of them place a node alike.
 * Immutable.
 */
public final class Fnv1aPartitioner implements Partitioner {
    private final int partitions;

    /**
     * @throws IllegalArgumentException if {@code partitions} is below 1 or above the number of slots
     */
    public Fnv1aPartitioner(int partitions) {
        if (partitions < 1 || partitions > PartitionHash.SLOTS) {
            throw new IllegalArgumentException("partitions must be 1.." + PartitionHash.SLOTS + ": " + partitions);
        }
        this.partitions = partitions;
    }

    @Override
    public int partitions() {
        return partitions;
    }

    @Override
    public String hashName() {
        return PartitionHash.NAME;
    }

    @Override
    public int slotOfChildren(NodePath directory) {
        return PartitionHash.slotOf(directory);
    }

    @Override
    public String toString() {
        return "Fnv1aPartitioner[" + partitions + " " + PartitionHash.NAME + "]";
    }
}
