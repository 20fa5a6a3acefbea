package io.chubby.paxos.internal;

import io.chubby.spi.Member;
import java.util.List;

/**
 * Identity, membership and tuning of one consensus replica, validated. Built from the DS
 * {@link PaxosReplica.Config} or directly by tests, the simulator and benchmarks.
 *
 * @param replicaId             this replica's id in {@code members}
 * @param members               every replica of the cell (odd count recommended)
 * @param cellName              the cell's name (logs only)
 * @param leaseMs               master lease length L
 * @param renewMs               how often the master renews its lease (well below L)
 * @param maxDrift              bound on relative clock drift between replicas (e.g. 0.01)
 * @param tickMs                timer granularity: group deadlines are rounded up to multiples of it
 * @param batchMaxEntries       most proposals handed to the core per loop iteration
 * @param compactEveryEntries   take a durable snapshot and truncate the log every this many applied entries
 * @param compactKeepEntries    entries kept below the snapshot point, so slightly lagging peers catch up from the log
 */
public record ReplicaSettings(int replicaId, List<Member> members, String cellName, long leaseMs, long renewMs,
                              double maxDrift, long tickMs, int batchMaxEntries, long compactEveryEntries,
                              long compactKeepEntries) {

    public ReplicaSettings {
        members = List.copyOf(members);
        if (members.stream().noneMatch(m -> m.id() == replicaId)) {
            throw new IllegalArgumentException("replica.id " + replicaId + " is not in members " + members);
        }
        if (leaseMs <= 0 || renewMs <= 0 || 2 * renewMs > leaseMs) {
            throw new IllegalArgumentException("need 0 < 2 * paxos.renew.ms <= paxos.lease.ms, got renew=" + renewMs
                    + " lease=" + leaseMs);
        }
        if (maxDrift < 0 || maxDrift >= 0.25) {
            throw new IllegalArgumentException("paxos.max.drift must be in [0, 0.25), was " + maxDrift);
        }
        if (tickMs <= 0 || tickMs >= renewMs) {
            throw new IllegalArgumentException("need 0 < paxos.tick.ms < paxos.renew.ms, got " + tickMs);
        }
        if (batchMaxEntries <= 0) {
            throw new IllegalArgumentException("paxos.batch.max.entries must be positive, was " + batchMaxEntries);
        }
        if (compactEveryEntries <= 0 || compactKeepEntries < 0) {
            throw new IllegalArgumentException("paxos.compact.every.entries must be positive and "
                    + "paxos.compact.keep.entries non-negative");
        }
    }

    /** Default tuning (lease 1.5 s, renew 0.5 s, drift 1%, tick 10 ms). */
    public static ReplicaSettings defaults(int replicaId, List<Member> members) {
        return new ReplicaSettings(replicaId, members, "local", 1500, 500, 0.01, 10, 1000, 10_000, 1000);
    }

    public ReplicaSettings withLease(long lease, long renew) {
        return new ReplicaSettings(replicaId, members, cellName, lease, renew, maxDrift, tickMs, batchMaxEntries,
                compactEveryEntries, compactKeepEntries);
    }

    public ReplicaSettings withCompaction(long every, long keep) {
        return new ReplicaSettings(replicaId, members, cellName, leaseMs, renewMs, maxDrift, tickMs, batchMaxEntries,
                every, keep);
    }

    public Member self() {
        return members.stream().filter(m -> m.id() == replicaId).findFirst().orElseThrow();
    }
}
