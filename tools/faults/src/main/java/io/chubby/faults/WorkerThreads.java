package io.chubby.faults;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of a fault run (clients, lock workers, the ephemeral worker, the nemesis). Each is a
 * daemon with an uncaught-exception handler that records its death: a worker that dies of a bug
 * would otherwise only look like a thread that ended, and the run would check a history with a
 * hole in it. {@link #deaths()} gives one anomaly line per dead thread naming the exception.
 * Thread-safe.
 */
final class WorkerThreads {
    private static final Logger log = LoggerFactory.getLogger(WorkerThreads.class);
    private final List<String> deaths = new ArrayList<>();

    /** Starts {@code body} on a new daemon thread called {@code name}. */
    Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        // Runs on the dying thread before it terminates, so a join() that returned sees the record.
        t.setUncaughtExceptionHandler((thread, e) -> died(thread, e));
        t.start();
        return t;
    }

    private void died(Thread thread, Throwable e) {
        log.error("worker thread {} died", thread.getName(), e);
        StackTraceElement[] at = e.getStackTrace();
        String line = "worker thread " + thread.getName() + " died: " + e
                + (at.length > 0 ? " at " + at[0] : "");
        synchronized (deaths) {
            deaths.add(line);
        }
    }

    /** One anomaly line per thread that died of an uncaught exception, in the order they died. */
    List<String> deaths() {
        synchronized (deaths) {
            return List.copyOf(deaths);
        }
    }
}
