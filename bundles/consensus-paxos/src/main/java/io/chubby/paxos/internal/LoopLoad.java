package io.chubby.paxos.internal;

import java.util.function.LongSupplier;

/**
 * How busy a loop thread is: the fraction of wall time it did not spend waiting for work, over
 * windows of one second (for {@link MasterPlacement}'s overload rule and the status). The loop
 * reports each wait ({@link #waited}); {@link #busy} is the last completed window's fraction. Loop
 * thread only, except {@link #busy}, which any thread may read.
 */
final class LoopLoad {
    static final long WINDOW_NANOS = 1_000_000_000L;

    private final LongSupplier nanos;
    private long windowStart;
    private long waitedInWindow;
    private volatile double busy;

    LoopLoad(LongSupplier nanos) {
        this.nanos = nanos;
        this.windowStart = nanos.getAsLong();
    }

    /** The loop waited {@code waitedNanos} for work; closes the window when it is over. */
    void waited(long waitedNanos) {
        waitedInWindow += waitedNanos;
        long now = nanos.getAsLong();
        long elapsed = now - windowStart;
        if (elapsed >= WINDOW_NANOS) {
            busy = Math.max(0, Math.min(1, 1 - (double) waitedInWindow / elapsed));
            windowStart = now;
            waitedInWindow = 0;
        }
    }

    /** Busy fraction of the last completed window, 0..1 (0 before the first one). */
    double busy() {
        return busy;
    }
}
