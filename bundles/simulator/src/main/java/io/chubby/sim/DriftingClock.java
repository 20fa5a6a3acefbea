package io.chubby.sim;

/**
 * A replica's local clock: {@code offset + rate * trueTime}, with {@code |rate - 1| <= maxDrift}.
 * Monotonic, as the core requires.
 */
record DriftingClock(long offset, double rate) {
    long local(long trueMillis) {
        return offset + (long) Math.floor(rate * trueMillis);
    }
}
