package io.chubby.store.internal;

import io.chubby.spi.Histogram;
import io.chubby.spi.MetricSource.Metric;
import io.chubby.spi.MetricSource.Sample;
import io.chubby.spi.MetricSource.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What the Paxos log's writes cost, measured where they happen: each synced commit (one fsync,
 * however many groups' batches it carries) and each flush as an fsync latency, and each batch's
 * entries per group. Thread-safe. Pure apart from being handed the nanoseconds.
 */
final class LogWriteStats {
    private final Histogram fsyncs = new Histogram(Histogram.LATENCY_SECONDS);
    private final Map<Integer, Histogram> batches = new ConcurrentSkipListMap<>();

    /** A commit took {@code nanos}; counted as an fsync when it was synced. */
    void committed(boolean synced, long nanos) {
        if (synced) {
            fsyncs.observe(nanos / 1e9);
        }
    }

    /** {@code group}'s batch of {@code entries} log entries was written (batches of metadata only: not counted). */
    void batch(int group, int entries) {
        if (entries > 0) {
            batches.computeIfAbsent(group, g -> new Histogram(Histogram.SIZES)).observe(entries);
        }
    }

    List<Metric> metrics() {
        List<Sample> perGroup = new ArrayList<>();
        batches.forEach((g, h) -> perGroup.add(Sample.histogram(h.buckets(), "group", Integer.toString(g))));
        return List.of(
                new Metric("chubby_log_fsync_seconds", "Synced commits of the Paxos log (one fsync each, for "
                        + "every group's batch of a pass)", Type.HISTOGRAM, List.of(Sample.histogram(fsyncs.buckets()))),
                new Metric("chubby_log_batch_entries", "Log entries per batch written, by Paxos group",
                        Type.HISTOGRAM, perGroup));
    }
}
