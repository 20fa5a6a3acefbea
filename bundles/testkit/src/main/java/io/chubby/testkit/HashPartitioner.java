package io.chubby.testkit;

import io.chubby.api.NodePath;
import io.chubby.api.PartitionHash;
import io.chubby.spi.Partitioner;

/**
 * A {@link Partitioner} of N partitions on the reference hash ({@link PartitionHash}, fnv1a64-v1),
 * for tests of a partitioned cell before the partitioning bundle is deployed; {@link #hashName} can
 * be set to another name to test a partitioner that does not match the recorded one.
 */
public final class HashPartitioner implements Partitioner {
    private final int partitions;
    private final String hashName;

    public HashPartitioner(int partitions) {
        this(partitions, PartitionHash.NAME);
    }

    public HashPartitioner(int partitions, String hashName) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        this.partitions = partitions;
        this.hashName = hashName;
    }

    @Override
    public int partitions() {
        return partitions;
    }

    @Override
    public String hashName() {
        return hashName;
    }

    @Override
    public int slotOfChildren(NodePath directory) {
        return PartitionHash.slotOf(directory);
    }

    @Override
    public String toString() {
        return "HashPartitioner[" + partitions + " " + hashName + "]";
    }
}
