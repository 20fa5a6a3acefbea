package io.chubby.metrics.internal;

import io.chubby.spi.MetricSource;
import io.chubby.spi.MetricSource.Buckets;
import io.chubby.spi.MetricSource.Metric;
import io.chubby.spi.MetricSource.Sample;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The series of the {@link MetricSource}s bound now, as Prometheus snapshots. A name already taken
 * (by the replica's own series or an earlier source) and a source that throws are left out and
 * counted, so one faulty bundle never empties a scrape. Pure.
 */
final class SourceSeries {

    /** What a pass over the sources gave, and how many series or sources it left out. */
    record Result(List<MetricSnapshot> snapshots, int skipped) {
    }

    private SourceSeries() {
    }

    /**
     * @param sources the sources bound now
     * @param taken   names already in the scrape; the names added are added to it
     */
    static Result of(List<MetricSource> sources, Set<String> taken) {
        List<MetricSnapshot> out = new ArrayList<>();
        int skipped = 0;
        for (MetricSource source : sources) {
            List<Metric> metrics;
            try {
                metrics = source.metrics();
            } catch (RuntimeException e) {
                skipped++;
                continue;
            }
            for (Metric m : metrics) {
                if (!taken.add(m.name())) {
                    skipped++;
                    continue;
                }
                try {
                    out.add(snapshot(m));
                } catch (IllegalArgumentException e) {
                    skipped++; // e.g. a reserved label name or two samples with the same labels
                }
            }
        }
        return new Result(out, skipped);
    }

    static MetricSnapshot snapshot(Metric m) {
        switch (m.type()) {
            case COUNTER: {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(m.name()).help(m.help());
                for (Sample s : m.samples()) {
                    b.dataPoint(CounterDataPointSnapshot.builder().labels(labels(s)).value(s.value()).build());
                }
                return b.build();
            }
            case GAUGE: {
                GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(m.name()).help(m.help());
                for (Sample s : m.samples()) {
                    b.dataPoint(GaugeDataPointSnapshot.builder().labels(labels(s)).value(s.value()).build());
                }
                return b.build();
            }
            default: {
                HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(m.name()).help(m.help());
                for (Sample s : m.samples()) {
                    Buckets k = s.buckets();
                    b.dataPoint(HistogramDataPointSnapshot.builder().labels(labels(s))
                            .classicHistogramBuckets(buckets(k)).sum(k.sum()).build());
                }
                return b.build();
            }
        }
    }

    /** The client's buckets: the same counts, the last one's bound +Inf. */
    static ClassicHistogramBuckets buckets(Buckets k) {
        double[] finite = k.upperBounds();
        double[] bounds = new double[finite.length + 1];
        System.arraycopy(finite, 0, bounds, 0, finite.length);
        bounds[finite.length] = Double.POSITIVE_INFINITY;
        return ClassicHistogramBuckets.of(bounds, k.counts());
    }

    private static Labels labels(Sample s) {
        Labels.Builder b = Labels.builder();
        s.labels().forEach(b::label);
        return b.build();
    }
}
