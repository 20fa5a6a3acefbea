package io.chubby.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.LogBatch;
import io.chubby.spi.MetricSource;
import io.chubby.spi.MetricSource.Metric;
import io.chubby.spi.MetricSource.Sample;
import io.chubby.spi.MetricSource.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's {@link MetricSource} over a real JE environment: fsyncs counted where the synced
 * commit happens, batch sizes per group, JE's figures as plain numbers.
 */
class StoreMetricsComponentTest {
    @TempDir
    Path dir;

    @Test
    void fsyncsAndBatchesAreCountedWhereTheyHappen() {
        try (BdbStore store = BdbStore.open(dir)) {
            MetricSource source = new StoreMetricsComponent(store);
            store.write(new LogBatch().putEntry(1, bytes("a")).putEntry(2, bytes("b")).putEntry(3, bytes("c")).sync(true));
            store.write(new LogBatch().putEntry(4, bytes("d"))); // not synced: a batch, no fsync
            store.logStores().writeAll(Map.of(0, new LogBatch().putEntry(5, bytes("e")).sync(true),
                    2, new LogBatch().putEntry(1, bytes("g2")).putEntry(2, bytes("g2")).sync(true)));

            Map<String, Metric> m = byName(source.metrics());
            Metric fsync = m.get("chubby_log_fsync_seconds");
            assertEquals(Type.HISTOGRAM, fsync.type());
            assertEquals(2, fsync.samples().get(0).buckets().count(), "one fsync per synced commit, two groups in one");
            assertTrue(fsync.samples().get(0).buckets().sum() > 0);

            Map<String, Sample> batches = byGroup(m.get("chubby_log_batch_entries"));
            assertEquals(3, batches.get("0").buckets().count());
            assertEquals(3 + 1 + 1, batches.get("0").buckets().sum());
            assertEquals(1, batches.get("2").buckets().count());
            assertEquals(2, batches.get("2").buckets().sum());
        }
    }

    @Test
    void jeFiguresArePlainNumbers() {
        try (BdbStore store = BdbStore.open(dir)) {
            store.write(new LogBatch().putEntry(1, bytes("a")).sync(true));
            Map<String, Metric> m = byName(new StoreMetricsComponent(store).metrics());
            assertTrue(value(m, "chubby_je_cache_bytes") > 0);
            assertEquals(StoreSettings.DEFAULT_CACHE_MB * 1024L * 1024L, (long) value(m, "chubby_je_cache_max_bytes"));
            assertTrue(value(m, "chubby_je_log_bytes") > 0);
            assertEquals(Type.COUNTER, m.get("chubby_je_checkpoints").type());
            for (String name : List.of("chubby_je_cleaner_backlog", "chubby_je_log_active_bytes",
                    "chubby_je_cache_misses", "chubby_je_cleaner_runs")) {
                assertTrue(value(m, name) >= 0, name);
            }
        }
    }

    @Test
    void aClosedStoreHasNoSeries() {
        BdbStore store = BdbStore.open(dir);
        MetricSource source = new StoreMetricsComponent(store);
        store.close();
        assertEquals(List.of(), source.metrics());
    }

    private static Map<String, Sample> byGroup(Metric batches) {
        return batches.samples().stream().collect(Collectors.toMap(s -> s.labels().get("group"), Function.identity()));
    }

    private static Map<String, Metric> byName(List<Metric> metrics) {
        return metrics.stream().collect(Collectors.toMap(Metric::name, Function.identity()));
    }

    private static double value(Map<String, Metric> m, String name) {
        return m.get(name).samples().get(0).value();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
