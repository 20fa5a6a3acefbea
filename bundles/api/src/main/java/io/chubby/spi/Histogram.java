package io.chubby.spi;

import java.util.Arrays;

/**
 * Observations into fixed buckets, for a {@link MetricSource} to report as
 * {@link MetricSource.Buckets}. Thread-safe (one monitor; an observation is a few instructions).
 * Since SPI 1.11.
 */
public final class Histogram {
    /** Seconds from 100 µs to 10 s: fsyncs, round trips. */
    public static final double[] LATENCY_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
            0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** Powers of two from 1 to 4,096: entries in a batch. */
    public static final double[] SIZES = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

    private final double[] bounds;
    private final long[] counts;
    private double sum;

    /** @param upperBounds increasing finite bounds (a bucket above them is added) */
    public Histogram(double... upperBounds) {
        this.bounds = upperBounds.clone();
        this.counts = new long[bounds.length + 1];
        new MetricSource.Buckets(bounds, counts, 0); // validates the bounds
    }

    public synchronized void observe(double value) {
        int i = Arrays.binarySearch(bounds, value);
        counts[i >= 0 ? i : -i - 1]++;
        sum += value;
    }

    /** The observations so far. */
    public synchronized MetricSource.Buckets buckets() {
        return new MetricSource.Buckets(bounds, counts, sum);
    }
}
