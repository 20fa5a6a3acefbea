package io.chubby.spi;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * How the cell is partitioned, as this replica knows it: the recorded number of partitions and
 * hash, and each group's master and epoch. Published by session-mgr's cell host
 * (docs/PARTITIONING.md step 7) for optional readers such as the DNS bridge (step 13), which
 * names each partition's master. Every call reads the current values; nothing is cached for the
 * caller. A cell of one partition (N = 1) is today's cell: {@link #groups()} holds group 0 alone.
 */
@ProviderType
public interface PartitionView {

    /** One group's master as this replica knows it; {@code masterId} 0 and epoch 0 when none is known. */
    record GroupMaster(int group, int masterId, long epoch) {
    }

    /** The recorded number of partitions N, 1 when none was recorded. */
    int partitions();

    /** The recorded hash name, e.g. "fnv1a64-v1". */
    String hashName();

    /** The number of slots directories hash to (4096 for "fnv1a64-v1"). */
    int slots();

    /** Every group this replica has open, in group order, with its master and epoch. */
    List<GroupMaster> groups();
}
