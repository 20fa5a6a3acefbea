package io.chubby.transport.internal;

import java.util.function.DoubleSupplier;

/**
 * Exponential reconnect delay with jitter: each {@link #next()} returns a delay in
 * [d/2, d] for the current step d, then doubles d up to the maximum; {@link #reset()} goes back to
 * the minimum. Jitter keeps replicas that lost a peer at the same moment from reconnecting in
 * lockstep. Randomness is injected so tests are deterministic. Not thread-safe: its owner
 * ({@link PeerLink}) calls it under its own lock.
 */
final class Backoff {
    private final long minMs;
    private final long maxMs;
    private final DoubleSupplier random;
    private long step;

    Backoff(long minMs, long maxMs, DoubleSupplier random) {
        this.minMs = minMs;
        this.maxMs = maxMs;
        this.random = random;
        this.step = minMs;
    }

    long next() {
        long d = step;
        step = Math.min(maxMs, step * 2);
        long half = d / 2;
        return half + Math.round(random.getAsDouble() * (d - half));
    }

    void reset() {
        step = minMs;
    }

    long maxMs() {
        return maxMs;
    }
}
