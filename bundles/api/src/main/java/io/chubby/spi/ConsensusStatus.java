package io.chubby.spi;

/**
 * A replica's view of consensus, for status commands and metrics.
 *
 * @param replicaId     this replica
 * @param role          "master", "replica" or "candidate"
 * @param masterId      the master this replica believes in, 0 if none
 * @param epoch         that master's epoch, 0 if none
 * @param commitIndex   highest index known chosen
 * @param appliedIndex  highest index applied to the state machine
 * @param checksum      state machine checksum at appliedIndex
 * @param firstLogIndex lowest index still in the log (earlier ones were compacted)
 * @param leaseValid    true on a master whose lease is valid now
 */
public record ConsensusStatus(int replicaId, String role, int masterId, long epoch, long commitIndex,
                              long appliedIndex, long checksum, long firstLogIndex, boolean leaseValid) {
}
