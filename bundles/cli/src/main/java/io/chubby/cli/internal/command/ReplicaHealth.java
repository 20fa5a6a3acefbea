package io.chubby.cli.internal.command;

import io.chubby.api.MasterInfo;
import io.chubby.cli.internal.CellAccess;
import io.chubby.cli.internal.CliContext;
import io.chubby.client.ClientSecurity;
import io.chubby.client.ReplicaStatus;

import java.time.Duration;
import java.util.List;

/**
 * The health check between two replicas of a rolling operation ({@code cell restart --rolling},
 * {@code bundle ... --all}): a master is known (some replica names it and it answers Status as
 * master) and the replica answers and has applied everything the master had committed when the
 * check began. Used by one thread.
 */
final class ReplicaHealth {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration POLL = Duration.ofMillis(100);

    /** A healthy replica: its applied index, and the master it caught up with. */
    record Healthy(long applied, long target, String masterAddress, int masterId, long epoch, long millis) {
        @Override
        public String toString() {
            return "caught up at index " + applied + " (master replica " + masterId + " at " + masterAddress
                    + ", epoch " + epoch + ") in " + millis + " ms";
        }
    }

    private final CellAccess access;
    private final ClientSecurity security;
    private final CliContext.Waiter waiter;

    ReplicaHealth(CellAccess access, ClientSecurity security, CliContext.Waiter waiter) {
        this.access = access;
        this.security = security;
        this.waiter = waiter;
    }

    /**
     * Waits until {@code address} is healthy; throws {@link IllegalStateException} naming what was
     * not (no master known, the replica not answering, or behind the master) after {@code limit}.
     */
    Healthy await(List<String> cell, String address, Duration limit, String logHint) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + limit.toNanos();
        long target = -1;
        Master master = null;
        String problem;
        while (true) {
            if (master == null) {
                master = master(cell);
                if (master != null) {
                    target = master.status().commitIndex();
                }
            }
            if (master == null) {
                problem = "no master known (no replica of " + cell + " names one that answers as master)";
            } else {
                try {
                    long applied = access.status(address, PROBE_TIMEOUT, security).appliedIndex();
                    if (applied >= target) {
                        return new Healthy(applied, target, master.address(), master.status().replicaId(), master.status().epoch(),
                                Duration.ofNanos(System.nanoTime() - t0).toMillis());
                    }
                    problem = "not caught up (applied " + applied + ", the master had committed " + target + ")";
                } catch (RuntimeException e) {
                    problem = "does not answer Status (" + e.getMessage() + ")";
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("not healthy after " + limit.toSeconds() + " s: " + problem
                        + (logHint == null ? "" : "; see " + logHint));
            }
            waiter.sleep(POLL);
        }
    }

    private record Master(String address, ReplicaStatus status) {
    }

    /** The master, once some replica names it and it answers Status as master; null if none does. */
    private Master master(List<String> cell) {
        for (String a : cell) {
            try {
                MasterInfo m = access.masterLocation(a, PROBE_TIMEOUT, security);
                if (m.known()) {
                    ReplicaStatus s = access.status(m.masterAddress(), PROBE_TIMEOUT, security);
                    if (s.isMaster()) {
                        return new Master(m.masterAddress(), s);
                    }
                }
            } catch (RuntimeException e) {
                // that replica (or the master it names) is down or electing: ask the next
            }
        }
        return null;
    }
}
