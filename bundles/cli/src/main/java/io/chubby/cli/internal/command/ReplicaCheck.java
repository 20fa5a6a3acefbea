package io.chubby.cli.internal.command;

import io.chubby.client.ClientSecurity;
import io.chubby.cli.internal.CellAccess;
import io.chubby.cli.internal.cell.CellLayout;
import io.chubby.cli.internal.cell.PidFile;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether a replica of a local cell is serving, for {@code cell up}, which must restart every
 * replica that is not: a pid file is not enough (a replica killed with -9 stays a zombie until it
 * is reaped, and a hung one is alive but useless), so a live process must also answer Status.
 * A process that does not answer yet but started less than {@link #STARTUP_GRACE} ago is still
 * starting (an earlier {@code cell up} that gave up waiting, say) and is waited for, not killed.
 * Stateless apart from its collaborators; used by one thread.
 */
final class ReplicaCheck {
    /** One Status probe; a live replica answers in milliseconds. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
    /** Probes before a live process counts as not answering. */
    static final int PROBES = 2;
    /** A replica JVM answers Status within seconds of its start; until this age it may still be starting. */
    static final Duration STARTUP_GRACE = Duration.ofSeconds(30);

    /** What {@code cell up} found. */
    enum Condition {
        /** No pid file: never started, or stopped by {@code cell down}. */
        NEW,
        /** The pid file names a process that is gone (or a reused pid). */
        DOWN,
        /** The pid file names a process that exited and is not reaped yet. */
        ZOMBIE,
        /** Alive, older than the startup grace, and does not answer Status. */
        NOT_ANSWERING,
        /** Alive, does not answer Status yet, started within the startup grace. */
        STARTING,
        /** Alive and answering Status. */
        SERVING
    }

    /** A replica's condition, with the pid its pid file names (0: none) and the live process, if any. */
    record Finding(int id, Condition condition, long pid, Optional<ProcessHandle> process) {
    }

    private final CellAccess access;
    private final ClientSecurity security;
    private final Supplier<Instant> now;

    ReplicaCheck(CellAccess access, ClientSecurity security, Supplier<Instant> now) {
        this.access = access;
        this.security = security;
        this.now = now;
    }

    Finding inspect(CellLayout layout, int id) {
        PidFile.Status st = new PidFile(layout.pidFile(id)).status();
        Condition c = switch (st.state()) {
            case NONE -> Condition.NEW;
            case GONE -> Condition.DOWN;
            case ZOMBIE -> Condition.ZOMBIE;
            case RUNNING -> {
                ProcessHandle p = st.process().orElseThrow();
                if (answers(layout.clientAddresses().get(id - 1))) {
                    yield Condition.SERVING;
                }
                yield startedWithinGrace(p) ? Condition.STARTING : Condition.NOT_ANSWERING;
            }
        };
        return new Finding(id, c, st.pid(), st.process());
    }

    private boolean answers(String address) {
        for (int i = 0; i < PROBES; i++) {
            try {
                access.status(address, PROBE_TIMEOUT, security);
                return true;
            } catch (RuntimeException e) {
                // refused, no answer in time, or a bad answer: ask once more before judging
            }
        }
        return false;
    }

    /** Unknown start time (not Linux): not young, so a silent replica is restarted. */
    private boolean startedWithinGrace(ProcessHandle p) {
        return p.info().startInstant().map(s -> s.plus(STARTUP_GRACE).isAfter(now.get())).orElse(false);
    }
}
