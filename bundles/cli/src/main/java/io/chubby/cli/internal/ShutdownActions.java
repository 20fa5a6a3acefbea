package io.chubby.cli.internal;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the process does when it is stopped (SIGINT, SIGTERM, or {@code System.exit}): one JVM
 * shutdown hook, installed on first use, runs the registered actions one after the other, the
 * last registered first (a command's own clean-up, e.g. releasing its lock, before the session
 * it uses is closed).
 *
 * <p>One hook rather than one per action because the JVM starts all hooks at once, in no order,
 * and halts when the last returns: an action that closes the session must not race the one that
 * releases the lock over it. A second (third, ...) signal does not cut the hook short: the JVM
 * only starts shutting down once, so any number of signals runs the actions exactly once and
 * the process exits when they have returned. Thread-safe.
 */
final class ShutdownActions {
    private static final Deque<Runnable> actions = new ArrayDeque<>(); // guarded by actions
    private static boolean installed; // guarded by actions
    private static volatile boolean stopping;

    private ShutdownActions() {
    }

    /**
     * Installs the hook now, before the command opens anything: a signal that arrives while a
     * session is being created must find the hook in place (the JVM refuses new hooks once it is
     * shutting down), so that the action registered for that session can close it.
     */
    static void install() {
        synchronized (actions) {
            if (!installed) {
                try {
                    Runtime.getRuntime().addShutdownHook(new Thread(ShutdownActions::runAll, "chubby-stop"));
                    installed = true;
                } catch (IllegalStateException shuttingDown) {
                    stopping = true; // stopped before anything was opened: nothing to undo
                }
            }
        }
    }

    /** Runs {@code action} if the process is stopped; the returned Runnable cancels that. */
    static Runnable add(Runnable action) {
        synchronized (actions) {
            install();
            actions.push(action);
        }
        return () -> {
            synchronized (actions) {
                actions.removeFirstOccurrence(action);
            }
        };
    }

    /** Whether the process is being stopped (the actions are running or have run). */
    static boolean stopping() {
        return stopping;
    }

    private static void runAll() {
        stopping = true;
        while (true) {
            Runnable next;
            synchronized (actions) {
                next = actions.poll();
            }
            if (next == null) {
                return;
            }
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                // nothing to tell at exit; the remaining actions (closing the session) still run
            }
        }
    }
}
