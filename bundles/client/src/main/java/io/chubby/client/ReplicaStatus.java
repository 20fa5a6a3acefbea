package io.chubby.client;

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
 */
public record ReplicaStatus(int replicaId, String role, int masterId, long epoch, long commitIndex,
                            long appliedIndex, long checksum, long firstLogIndex, boolean leaseValid,
                            long sessions, long nodes, String address, long pid, Map<String, String> metrics) {
    public ReplicaStatus {
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    }

    /** Whether this replica says it is the master. */
    public boolean isMaster() {
        return "master".equals(role);
    }
}
