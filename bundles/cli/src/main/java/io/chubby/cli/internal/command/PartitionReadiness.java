package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.PartitionHash;
import io.chubby.cli.internal.CliContext;
import io.chubby.client.ReplicaStatus;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * After {@code cell up --partitions N} found a master: waits, bounded, until the group-0 master
 * answers Status with the partitions recorded ({@code partitioning=N fnv1a64-v1}) and a master
 * known for every group, and prints the group masters. The record is made by the group-0 master
 * itself, while the cell holds nothing (docs/PARTITIONING.md section 5); waiting for it here means a
 * script that runs {@code cell up} and then writes never writes before it. A master that reports
 * {@code partitioning=mismatch (...)} cannot be partitioned (the cell holds data, or replicas are
 * configured apart): that is said at once, with the replica's reason. Used by one thread.
 */
final class PartitionReadiness {
    private static final Duration POLL = Duration.ofMillis(250);

    private final Function<String, Optional<ReplicaStatus>> probe;
    private final CliContext.Waiter waiter;
    private final PrintStream out;

    PartitionReadiness(Function<String, Optional<ReplicaStatus>> probe, CliContext.Waiter waiter, PrintStream out) {
        this.probe = probe;
        this.waiter = waiter;
        this.out = out;
    }

    /** Returns the group-0 master's Status once N is recorded and every group has a master. */
    ReplicaStatus await(List<String> addresses, int n, Duration limit, String where) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        String wanted = n + " " + PartitionHash.NAME;
        String last = "no replica answered as master";
        while (true) {
            for (String a : addresses) {
                Optional<ReplicaStatus> s = probe.apply(a);
                if (s.isEmpty() || !s.get().isMaster()) {
                    continue;
                }
                String metric = s.get().metrics().getOrDefault("partitioning", "absent (no partitioner bound yet)");
                if (metric.startsWith("mismatch")) {
                    throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "the cell in " + where + " cannot be "
                            + "partitioned " + n + " ways: master " + s.get().replicaId() + " reports partitioning="
                            + metric);
                }
                last = "master " + s.get().replicaId() + " reports partitioning=" + metric;
                if (metric.equals(wanted) && everyGroupHasAMaster(s.get(), n)) {
                    out.println("partitions: " + wanted + ", group masters " + s.get().groups().stream()
                            .map(g -> g.group() + "->r" + g.masterId()).collect(Collectors.joining(" ")));
                    out.flush();
                    return s.get();
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "cell in " + where + ": " + n + " partitions "
                        + "not recorded with a master for every group after " + limit.toSeconds() + " s: " + last);
            }
            waiter.sleep(POLL);
        }
    }

    private static boolean everyGroupHasAMaster(ReplicaStatus s, int n) {
        return s.groups().size() == n && s.groups().stream().allMatch(g -> g.masterId() != 0);
    }
}
