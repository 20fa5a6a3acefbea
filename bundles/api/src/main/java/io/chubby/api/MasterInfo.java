package io.chubby.api;

import java.util.List;

/**
 * Answer to a master-location request, given by every replica.
 *
 * @param cell          the cell name
 * @param masterId      replica id of the master, or 0 when none is known
 * @param masterAddress client address (host:port) of the master, or null when none is known
 * @param epoch         the master's epoch, 0 when none is known
 * @param replicas      client addresses of every replica
 * @param partitions    the number of partitions of the cell (docs/PARTITIONING.md), at least 1; the
 *                      master named above is partition 0's (since 1.4.0)
 */
public record MasterInfo(String cell, int masterId, String masterAddress, long epoch, List<String> replicas,
                         int partitions) {
    public MasterInfo {
        replicas = List.copyOf(replicas);
        partitions = Math.max(1, partitions);
    }

    /** The master of a cell of one partition: the 1.3 constructor. */
    public MasterInfo(String cell, int masterId, String masterAddress, long epoch, List<String> replicas) {
        this(cell, masterId, masterAddress, epoch, replicas, 1);
    }

    public boolean known() {
        return masterId != 0 && masterAddress != null;
    }
}
