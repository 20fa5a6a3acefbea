package io.chubby.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds; percentiles by sorting (sample counts here are small). */
final class Stats {
    private long[] samples = new long[1024];
    private int n;

    synchronized void add(long nanos) {
        if (n == samples.length) {
            samples = Arrays.copyOf(samples, n * 2);
        }
        samples[n++] = nanos;
    }

    synchronized int count() {
        return n;
    }

    /** The p-th percentile (0..100) in milliseconds. */
    synchronized double percentileMs(double p) {
        if (n == 0) {
            return Double.NaN;
        }
        long[] s = Arrays.copyOf(samples, n);
        Arrays.sort(s);
        int i = (int) Math.min(n - 1, Math.max(0, Math.ceil(p / 100.0 * n) - 1));
        return s[i] / 1e6;
    }

    synchronized double maxMs() {
        long m = 0;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, samples[i]);
        }
        return m / 1e6;
    }
}
