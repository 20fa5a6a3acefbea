package io.chubby.sim;

import java.util.Map;
import java.util.TreeMap;

/**
 * A replica's local clock: {@code offset + rate * trueTime}, with {@code |rate - 1| <= maxDrift},
 * plus the forward steps ({@link #jump}) it took so far. Monotonic, as the core requires: it never
 * steps back.
 *
 * <p>The drift bound the lease argument needs (CONSENSUS.md "Master lease") is a bound on how far
 * the clock advances over an interval of true time. A step is a clock running infinitely fast for
 * an instant, so over short intervals any step breaks a rate bound; what the lease needs is that
 * no interval of about a lease or less lets the clock advance a whole lease too early. We call a
 * step <em>within the bound</em> when, over every interval of at least {@code horizon} true ms,
 * the clock still advances at most {@code (1 + maxDrift)} times the interval: a clock that ran
 * slower than the bound may catch up in steps. {@link #jumpBudget} is the largest such step now
 * (see there for why it keeps that promise). With {@code horizon < L / (1 + maxDrift)} the lease
 * argument holds unchanged: an interval shorter than the horizon advances at most
 * {@code (1 + maxDrift) * horizon < L}, a longer one at most {@code (1 + maxDrift)} times itself.
 */
final class DriftingClock {
    private final long offset;
    private final double rate;
    /** true time of a step -> the sum of every step up to and including it. */
    private final TreeMap<Long, Long> steps = new TreeMap<>();
    private long stepped;
    private long lastStepAt;

    DriftingClock(long offset, double rate) {
        this.offset = offset;
        this.rate = rate;
    }

    long offset() {
        return offset;
    }

    double rate() {
        return rate;
    }

    long local(long trueMillis) {
        Map.Entry<Long, Long> s = steps.floorEntry(trueMillis);
        return offset + (long) Math.floor(rate * trueMillis) + (s == null ? 0 : s.getValue());
    }

    /** Steps the clock forward by {@code millis} (>= 0) at true time {@code trueMillis}, not before the last step. */
    void jump(long trueMillis, long millis) {
        if (millis < 0 || trueMillis < lastStepAt) {
            throw new IllegalArgumentException("a clock only steps forward, in true-time order: " + millis + " at " + trueMillis);
        }
        stepped += millis;
        steps.put(trueMillis, stepped);
        lastStepAt = trueMillis;
    }

    /** Sum of every step taken so far. */
    long stepped() {
        return stepped;
    }

    /**
     * The largest step at {@code trueMillis} that keeps this clock within {@code maxDrift} over
     * every interval of at least {@code horizon} true ms: {@code (1 + maxDrift - rate) *
     * min(horizon, trueMillis - lastStep) / 2}. Why it holds: over an interval of length
     * {@code T >= horizon} the clock advances {@code rate * T} plus the steps inside it; the first
     * of them is at most {@code (1 + d - rate) * horizon / 2}, each later one at most
     * {@code (1 + d - rate) / 2} times the time since the step before it (all inside the interval),
     * so together at most {@code (1 + d - rate) * (horizon + T) / 2 <= (1 + d - rate) * T}.
     */
    long jumpBudget(long trueMillis, double maxDrift, long horizon) {
        double slack = 1 + maxDrift - rate;
        if (slack <= 0) {
            return 0;
        }
        return (long) Math.floor(slack * Math.min(horizon, trueMillis - lastStepAt) / 2);
    }
}
