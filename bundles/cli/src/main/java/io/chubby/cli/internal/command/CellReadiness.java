package io.chubby.cli.internal.command;

import io.chubby.client.ClientSecurity;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.MasterInfo;
import io.chubby.cli.internal.CellAccess;
import io.chubby.cli.internal.CliContext;
import io.chubby.cli.internal.cell.CellLayout;
import io.chubby.cli.internal.cell.ProcessLiveness;
import io.chubby.client.ReplicaStatus;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Waits, bounded, until every replica {@code cell up} started (or found starting) answers Status
 * and a master answers Status as master: a replica's MasterLocation alone may still name a master
 * that was just killed. Fails early when a started replica exits (a zombie counts as exited),
 * pointing at its logs. Used by one thread.
 */
final class CellReadiness {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration POLL = Duration.ofMillis(250);

    private final CellAccess access;
    private final ClientSecurity security;
    private final CliContext.Waiter waiter;
    private final PrintStream out;

    CellReadiness(CellAccess access, ClientSecurity security, CliContext.Waiter waiter, PrintStream out) {
        this.access = access;
        this.security = security;
        this.waiter = waiter;
        this.out = out;
    }

    /** Returns the master once known; throws CELL_UNAVAILABLE naming what did not come up. */
    MasterInfo await(CellLayout layout, Map<Integer, ProcessHandle> started, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        TreeSet<Integer> pending = new TreeSet<>(started.keySet());
        List<String> addresses = layout.clientAddresses();
        while (true) {
            for (Integer id : List.copyOf(pending)) {
                if (!ProcessLiveness.running(started.get(id))) {
                    throw new IllegalStateException("replica " + id + " exited during start; see "
                            + layout.consoleLog(id) + " and " + layout.replicaDir(id).resolve("log").resolve("replica.log"));
                }
                Optional<ReplicaStatus> s = probe(addresses.get(id - 1));
                if (s.isPresent()) {
                    pending.remove(id);
                    out.println("replica " + id + ": answering as " + s.get().role());
                    out.flush();
                }
            }
            if (pending.isEmpty()) {
                Optional<MasterInfo> m = master(addresses);
                if (m.isPresent()) {
                    out.println("master: replica " + m.get().masterId() + " at " + m.get().masterAddress()
                            + ", epoch " + m.get().epoch());
                    return m.get();
                }
            }
            if (System.nanoTime() - deadline > 0) {
                String what = pending.isEmpty() ? "no master was elected"
                        : "replica(s) " + pending + " did not answer (see " + layout.consoleLog(pending.first()) + ")";
                throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE,
                        "cell in " + layout.dir() + " not ready after " + limit.toSeconds() + " s: " + what);
            }
            waiter.sleep(POLL);
        }
    }

    /** Replica {@code address}'s Status, empty when it does not answer (also {@link PartitionReadiness}'s probe). */
    Optional<ReplicaStatus> probe(String address) {
        try {
            return Optional.of(access.status(address, PROBE_TIMEOUT, security));
        } catch (RuntimeException e) {
            return Optional.empty(); // not up yet, whatever the reason: keep polling until the deadline
        }
    }

    /** The master some replica names, once it answers Status itself as master (with its own epoch). */
    private Optional<MasterInfo> master(List<String> addresses) {
        for (String a : addresses) {
            try {
                MasterInfo m = access.masterLocation(a, PROBE_TIMEOUT, security);
                if (m.known()) {
                    ReplicaStatus s = access.status(m.masterAddress(), PROBE_TIMEOUT, security);
                    if (s.isMaster()) {
                        return Optional.of(new MasterInfo(m.cell(), s.replicaId(), m.masterAddress(), s.epoch(),
                                m.replicas()));
                    }
                }
            } catch (RuntimeException e) {
                // that replica (or the master it names) is down or still starting: ask the next
            }
        }
        return Optional.empty();
    }
}
