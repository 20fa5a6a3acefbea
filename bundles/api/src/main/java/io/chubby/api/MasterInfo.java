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
 */
public record MasterInfo(String cell, int masterId, String masterAddress, long epoch, List<String> replicas) {
    public MasterInfo {
        replicas = List.copyOf(replicas);
    }

    public boolean known() {
        return masterId != 0 && masterAddress != null;
    }
}
