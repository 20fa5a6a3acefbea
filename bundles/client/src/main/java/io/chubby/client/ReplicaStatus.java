package io.chubby.client;

import java.util.List;
import java.util.Map;

/**
 * One replica's view of itself, as answered to a Status request ({@link ChubbyClient#status}).
 *
 * @param replicaId     this replica's id
 * @param role          "master", "replica" or "candidate"
 * @param masterId      the id of the master this replica knows, 0 when none
 * @param epoch         the master epoch this replica knows
 * @param commitIndex   highest log index known committed
 * @param appliedIndex  highest log index applied to the database
 * @param checksum      checksum of the database state at {@code appliedIndex}
 * @param firstLogIndex lowest log index still held (earlier entries were compacted)
 * @param leaseValid    whether this replica holds a valid master lease
 * @param sessions      number of live sessions (meaningful on the master)
 * @param nodes         number of nodes in the database
 * @param address       the replica's client address (host:port)
 * @param pid           the replica's process id, 0 when unknown
 * @param metrics       further named figures (may be empty)
 * @param groups        in a partitioned cell, every Paxos group this replica has open (since 1.6.0;
 *                      empty in a cell of one partition, whose one group is described above)
 */
public record ReplicaStatus(int replicaId, String role, int masterId, long epoch, long commitIndex,
                            long appliedIndex, long checksum, long firstLogIndex, boolean leaseValid,
                            long sessions, long nodes, String address, long pid, Map<String, String> metrics,
                            List<Group> groups) {
    public ReplicaStatus {
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    /** A replica of a cell of one partition (no group list): the 1.5.0 constructor. */
    public ReplicaStatus(int replicaId, String role, int masterId, long epoch, long commitIndex,
                         long appliedIndex, long checksum, long firstLogIndex, boolean leaseValid,
                         long sessions, long nodes, String address, long pid, Map<String, String> metrics) {
        this(replicaId, role, masterId, epoch, commitIndex, appliedIndex, checksum, firstLogIndex, leaseValid,
                sessions, nodes, address, pid, metrics, List.of());
    }

    /**
     * One Paxos group (partition) of a partitioned cell as this replica sees it; the fields mean
     * what the replica's own fields mean, for that group.
     */
    public record Group(int group, String role, int masterId, long epoch, long commitIndex, long appliedIndex,
                        long checksum, long firstLogIndex, boolean leaseValid, long sessions, long nodes) {
    }

    /** Whether this replica says it is the master. */
    public boolean isMaster() {
        return "master".equals(role);
    }
}
