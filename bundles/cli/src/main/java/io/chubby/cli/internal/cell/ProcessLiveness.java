package io.chubby.cli.internal.cell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a process still runs, zombies included. {@link ProcessHandle#isAlive()} is true for a
 * zombie: a process that has exited (kill -9) but that its parent has not reaped yet. A replica
 * started by an earlier {@code cell up} has been handed to init (or a subreaper), which may take a
 * while to reap it, and meanwhile it looked "already running" to {@code cell up}. On Linux the
 * state letter in {@code /proc/<pid>/stat} tells ('Z'); elsewhere a zombie cannot be told apart
 * and counts as alive. Stateless.
 */
public final class ProcessLiveness {
    private ProcessLiveness() {
    }

    /** Alive and not a zombie. */
    public static boolean running(ProcessHandle p) {
        return p.isAlive() && !isZombie(p.pid());
    }

    /** Whether {@code pid} names a zombie (exited, not yet reaped); false when unknown. */
    public static boolean isZombie(long pid) {
        return state(pid).map(s -> s == 'Z' || s == 'X' || s == 'x').orElse(false);
    }

    /** The state letter of {@code /proc/<pid>/stat} (R, S, D, T, Z, ...), when the OS has one. */
    static Optional<Character> state(long pid) {
        try {
            return parseState(Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // no /proc (not Linux), or the process is gone
        }
    }

    /**
     * The state from a {@code /proc/<pid>/stat} line: {@code pid (comm) S ...}. The command name
     * may hold spaces and parentheses, so the state follows the LAST ')'.
     */
    static Optional<Character> parseState(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            return Optional.empty();
        }
        return Optional.of(stat.charAt(close + 2));
    }
}
