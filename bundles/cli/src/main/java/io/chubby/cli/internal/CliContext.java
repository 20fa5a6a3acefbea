package io.chubby.cli.internal;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a command touches outside itself: streams, environment variables, the working
 * directory, the way to reach a cell, and how to wait. {@link #system(CellAccess)} is the real
 * process; tests and the Gogo commands build their own. Immutable.
 *
 * @param out      standard output (raw bytes for {@code cat})
 * @param err      standard error (one line per failure)
 * @param in       standard input ({@code put PATH -})
 * @param env      environment variables (CHUBBY_CELL, CHUBBY_HOME)
 * @param workDir  directory relative {@code --dir} values resolve against
 * @param access   how to reach a cell: the client library (tests wrap it)
 * @param waiter   how {@code put --ephemeral} holds its node
 * @param embedded true inside a replica's Gogo shell: no blocking forever, no shutdown hooks
 */
public record CliContext(PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
                         Path workDir, CellAccess access, Waiter waiter, boolean embedded) {

    public static final String CELL_ENV = "CHUBBY_CELL";
    public static final String HOME_ENV = "CHUBBY_HOME";

    public CliContext {
        env = Map.copyOf(env);
        workDir = workDir.toAbsolutePath();
    }

    /** The process's own streams and environment; CHUBBY_HOME may also be a system property. */
    public static CliContext system(CellAccess access) {
        Map<String, String> env = new HashMap<>(System.getenv());
        // bin/chubby passes the distribution root as -Dchubby.home; it wins over the environment.
        String home = System.getProperty("chubby.home", System.getProperty(HOME_ENV));
        if (home != null && !home.isBlank()) {
            env.put(HOME_ENV, home);
        }
        ShutdownActions.install();
        return new CliContext(System.out, System.err, System.in, env, Path.of("").toAbsolutePath(), access,
                Waiter.REAL, false);
    }

    public Optional<String> env(String name) {
        return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
    }

    public Path resolve(String dir) {
        return workDir.resolve(dir).normalize();
    }

    /** Blocking waits, the time, and process shutdown, replaceable in tests. */
    public interface Waiter {
        /**
         * Real sleeps; the actions run by one JVM shutdown hook (SIGINT/SIGTERM, any number of
         * them), last registered first ({@link ShutdownActions}).
         */
        Waiter REAL = new Waiter() {
            @Override
            public void sleep(Duration d) throws InterruptedException {
                Thread.sleep(d.toMillis());
            }

            @Override
            public Runnable onShutdown(Runnable action) {
                return ShutdownActions.add(action);
            }

            @Override
            public boolean stopping() {
                return ShutdownActions.stopping();
            }
        };

        /** Like the shell: inside a replica nothing runs at process exit. */
        Waiter EMBEDDED = new Waiter() {
            @Override
            public void sleep(Duration d) throws InterruptedException {
                Thread.sleep(d.toMillis());
            }

            @Override
            public Runnable onShutdown(Runnable action) {
                return () -> { };
            }
        };

        void sleep(Duration d) throws InterruptedException;

        /**
         * Runs {@code action} if the process is stopped; the returned Runnable cancels that.
         * Actions run one at a time, the last registered first, so a command's clean-up (release
         * a lock, kill its COMMAND) runs before the session it used is closed.
         */
        Runnable onShutdown(Runnable action);

        /**
         * Whether the process is being stopped (a signal): what fails then fails because of the
         * stop and is not reported (the exit status is the signal's, 128 + its number).
         */
        default boolean stopping() {
            return false;
        }

        /** The wall-clock time now (e.g. to tell how long ago a replica process started). */
        default Instant now() {
            return Instant.now();
        }
    }
}
