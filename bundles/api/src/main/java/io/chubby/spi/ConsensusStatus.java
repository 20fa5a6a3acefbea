package io.chubby.spi;

/**
 * A replica's view of consensus in one Paxos group, for status commands and metrics.
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
 * @param group         the Paxos group this status is of (0: the {@link Consensus} service's group;
 *                      others through {@link ConsensusGroups}); since SPI 1.5
 * @param masterLive    the master named is live as far as this replica knows: on the master, its
 *                      lease is valid; on a follower, it heard from that master within a lease (a
 *                      follower cut off from everyone still names its last master); since SPI 1.10
 */
public record ConsensusStatus(int replicaId, String role, int masterId, long epoch, long commitIndex,
                              long appliedIndex, long checksum, long firstLogIndex, boolean leaseValid, int group,
                              boolean masterLive) {

    /**
     * The status of SPI 1.5 to 1.9 (kept for binary compatibility): the master counts as live when
     * one is named (what readers assumed before {@code masterLive}).
     */
    public ConsensusStatus(int replicaId, String role, int masterId, long epoch, long commitIndex,
                           long appliedIndex, long checksum, long firstLogIndex, boolean leaseValid, int group) {
        this(replicaId, role, masterId, epoch, commitIndex, appliedIndex, checksum, firstLogIndex, leaseValid, group,
                masterId != 0);
    }

    /** The status of group 0 (the constructor of SPI 1.4 and before, kept for binary compatibility). */
    public ConsensusStatus(int replicaId, String role, int masterId, long epoch, long commitIndex,
                           long appliedIndex, long checksum, long firstLogIndex, boolean leaseValid) {
        this(replicaId, role, masterId, epoch, commitIndex, appliedIndex, checksum, firstLogIndex, leaseValid, 0);
    }
}
