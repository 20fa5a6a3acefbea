package io.chubby.acl.internal;

import java.util.function.LongSupplier;

/**
 * Counts events in fixed windows of the injected clock and says which may pass: at most
 * {@code limit} per window (a limit of 0 or less lets every event pass). What was held back in a
 * window is reported with the first event that passes in a later one. Pure apart from the clock.
 *
 * <p>Threads: any (synchronized).
 */
final class RatePerWindow {
    /** Whether an event passes, and how many were held back before it (since the last that passed). */
    record Admission(boolean passes, long heldBackBefore) {
    }

    private final int limit;
    private final long windowNanos;
    private final LongSupplier nanos;
    private long windowStart;
    private int passedInWindow;
    private long heldBack;
    private boolean started;

    RatePerWindow(int limit, long windowNanos, LongSupplier nanos) {
        this.limit = limit;
        this.windowNanos = windowNanos;
        this.nanos = nanos;
    }

    synchronized Admission next() {
        if (limit <= 0) {
            return new Admission(true, 0);
        }
        long now = nanos.getAsLong();
        if (!started || now - windowStart >= windowNanos) {
            started = true;
            windowStart = now;
            passedInWindow = 0;
        }
        if (passedInWindow < limit) {
            passedInWindow++;
            long held = heldBack;
            heldBack = 0;
            return new Admission(true, held);
        }
        heldBack++;
        return new Admission(false, 0);
    }
}
