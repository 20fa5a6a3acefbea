package io.chubby.client.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The calls of one {@link MasterFollower} that wait out a backoff before their next attempt. Each
 * pause ends once, whichever comes first: its backoff runs out, or {@link #wakeAll} (the master
 * answered another call) ends every pause at once. Thread-safe: removal from the map is the
 * once-only gate.
 */
final class Pauses {
    /** One pause: what to run when it ends, and the timer that would end it. */
    private static final class Pause {
        final Runnable next;
        volatile ScheduledFuture<?> timer;

        Pause(Runnable next) {
            this.next = next;
        }
    }

    private final ScheduledExecutorService timer;
    private final Map<Object, Pause> waiting = new ConcurrentHashMap<>();

    Pauses(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** {@code owner} waits {@code ms}, then runs {@code next} (on the timer), unless woken first. */
    void pause(Object owner, Runnable next, long ms) {
        Pause p = new Pause(next);
        waiting.put(owner, p); // before the timer exists: a timer that fires at once still finds it
        p.timer = timer.schedule(() -> end(owner), ms, TimeUnit.MILLISECONDS);
    }

    /** Ends every pause now: each one's next step runs on the timer thread. */
    void wakeAll() {
        if (waiting.isEmpty()) {
            return; // one read outside a failover
        }
        for (Object owner : waiting.keySet()) {
            timer.execute(() -> end(owner));
        }
    }

    /** {@code owner} needs no next step (it completed): its pause, if any, ends without running it. */
    void forget(Object owner) {
        Pause p = waiting.remove(owner);
        if (p != null && p.timer != null) {
            p.timer.cancel(false);
        }
    }

    /** How many pauses are running (for tests and diagnostics). */
    int size() {
        return waiting.size();
    }

    private void end(Object owner) {
        Pause p = waiting.remove(owner);
        if (p == null) {
            return; // ended already
        }
        ScheduledFuture<?> t = p.timer;
        if (t != null) {
            t.cancel(false);
        }
        p.next.run();
    }
}
