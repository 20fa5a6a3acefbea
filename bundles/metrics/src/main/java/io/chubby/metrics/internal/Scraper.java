package io.chubby.metrics.internal;

import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.MetricSource;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmNativeMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One registry per component: the client library's JVM metrics (memory, GC, threads, classes,
 * buffer pools, ...), the replica's {@link CellSeries} and the {@link SourceSeries} of the
 * {@link MetricSource}s bound at that moment, collected at every scrape and written in the
 * Prometheus text format 0.0.4. {@link #close()} lets go of what the JVM holds of it (the listener
 * of {@link AllocatedBytes}), so an uninstalled or updated bundle leaves nothing behind.
 */
final class Scraper implements AutoCloseable {
    static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final AllocatedBytes allocated;

    /**
     * @param consensus the consensus view now (null: none bound)
     * @param cell      the cell's numbers now (empty: the cell component is not running)
     * @param sources   the bundles' metric sources bound now (empty: none)
     * @param jvm       whether to add the JVM metrics (off in tests that compare whole outputs)
     */
    Scraper(Supplier<ConsensusStatus> consensus, Supplier<Map<String, Number>> cell,
            Supplier<List<MetricSource>> sources, boolean jvm) {
        MultiCollector replica = () -> {
            List<MetricSnapshot> all = CellSeries.of(consensus.get(), cell.get());
            Set<String> taken = new HashSet<>();
            all.forEach(m -> taken.add(m.getMetadata().getPrometheusName()));
            SourceSeries.Result more = SourceSeries.of(sources.get(), taken);
            all.addAll(more.snapshots());
            if (more.skipped() > 0) {
                all.add(CellSeries.gauge("chubby_metrics_series_skipped", "Series or metric sources left out "
                        + "of this scrape (a name taken twice, a source failing); absent when none", more.skipped()));
            }
            return new MetricSnapshots(all);
        };
        registry.register(replica);
        // JvmMetrics.builder().register(registry) but for JvmMemoryPoolAllocationMetrics, whose GC
        // listener is never removed: AllocatedBytes writes the same series and removes its listener
        allocated = jvm ? AllocatedBytes.start() : null;
        if (jvm) {
            JvmThreadsMetrics.builder().register(registry);
            JvmBufferPoolMetrics.builder().register(registry);
            JvmClassLoadingMetrics.builder().register(registry);
            JvmCompilationMetrics.builder().register(registry);
            JvmGarbageCollectorMetrics.builder().register(registry);
            if (allocated != null) {
                registry.register(allocated);
            }
            JvmMemoryMetrics.builder().register(registry);
            JvmNativeMemoryMetrics.builder().register(registry);
            JvmRuntimeInfoMetric.builder().register(registry);
            ProcessMetrics.builder().register(registry);
        }
    }

    /** Whether the JVM still holds a listener of this scraper (tests). */
    boolean listening() {
        return allocated != null && allocated.listening() > 0;
    }

    @Override
    public void close() {
        if (allocated != null) {
            allocated.close();
        }
    }

    Reply scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16_384);
        try {
            writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Reply(200, CONTENT_TYPE, out.toByteArray(), null);
    }
}
