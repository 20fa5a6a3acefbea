package io.chubby.paxos.core;

import java.util.List;

/**
 * Static configuration of one replica's core.
 *
 * @param self                 this replica's id (1..255)
 * @param replicas             every replica of the cell, including {@code self}
 * @param leaseMillis          L: an acceptor won't promise another proposer for L after answering the master
 * @param renewMillis          the master renews its lease (heartbeat) this often; well below L
 * @param maxDrift             bound on each clock's rate error against true time (0.01 = 1%)
 * @param electionJitterMillis random extra wait before campaigning, once the old lease lapsed
 * @param retryMillis          a candidate re-sends Prepare to silent acceptors this often
 * @param maxBatchEntries      most entries in one Accept
 * @param maxBatchBytes        most value bytes in one Accept (at least one entry is always sent)
 * @param maxInflight          most unacknowledged Accepts per follower
 */
public record PaxosConfig(int self, List<Integer> replicas, long leaseMillis, long renewMillis, double maxDrift,
                          long electionJitterMillis, long retryMillis, int maxBatchEntries, int maxBatchBytes,
                          int maxInflight) {

    public PaxosConfig {
        replicas = List.copyOf(replicas);
        if (!replicas.contains(self)) {
            throw new IllegalArgumentException("self " + self + " not in " + replicas);
        }
        for (int r : replicas) {
            if (r < 1 || r > 255) {
                throw new IllegalArgumentException("replica id out of 1..255: " + r);
            }
        }
        if (renewMillis <= 0 || renewMillis * 2 > leaseMillis || maxDrift < 0 || maxDrift >= 0.25
                || maxBatchEntries < 1 || maxInflight < 1 || retryMillis <= 0 || electionJitterMillis <= 0) {
            throw new IllegalArgumentException("bad paxos config " + leaseMillis + "/" + renewMillis + "/" + maxDrift);
        }
    }

    /** Defaults: L=1500 ms, renew 500 ms, drift 1%, jitter 300 ms, retry 100 ms, 1000 entries / 1 MiB per Accept, 8 in flight. */
    public static PaxosConfig defaults(int self, List<Integer> replicas) {
        return new PaxosConfig(self, replicas, 1500, 500, 0.01, 300, 100, 1000, 1 << 20, 8);
    }

    /**
     * When a master that renewed its lease at {@code now} renews next: the first multiple of
     * {@code renewMillis} after {@code now} on this replica's clock. Every group a replica masters
     * renews on the same grid, so their Heartbeats leave in the same loop pass and share a frame
     * (docs/PARTITIONING.md 1.2); an interval is never longer than {@code renewMillis}.
     */
    public long nextRenewal(long now) {
        return (Math.floorDiv(now, renewMillis) + 1) * renewMillis;
    }

    /** Number of replicas that form a majority. */
    public int quorum() {
        return replicas.size() / 2 + 1;
    }

    /**
     * How long the master may count its lease after sending a request that a majority answered.
     * Each clock's rate is within {@code 1 +/- maxDrift} of true time, so L on the acceptor's clock
     * lasts at least {@code L/(1+d)} true time while {@code x} on the master's clock lasts at most
     * {@code x/(1-d)}: {@code x = L(1-d)/(1+d) >= L(1-2d)} is safe; we use the smaller one.
     */
    public long masterLeaseMillis() {
        return (long) Math.floor(leaseMillis * (1 - 2 * maxDrift)) - 1;
    }
}
