/**
 * The partitioning bundle (docs/PARTITIONING.md sections 1.1 and 5, step 14): the
 * {@link io.chubby.partition.internal.Fnv1aPartitioner} (a {@link io.chubby.spi.Partitioner} on
 * the reference hash {@link io.chubby.api.PartitionHash}), the pure reading of its configuration
 * ({@link io.chubby.partition.internal.PartitionSettings}) and the DS component that registers it
 * while PID {@code io.chubby.partition} holds a valid configuration
 * ({@link io.chubby.partition.internal.PartitionerComponent}). Nothing here is exported: the
 * cell meets it only through {@code io.chubby.spi.Partitioner}.
 */
package io.chubby.partition.internal;
