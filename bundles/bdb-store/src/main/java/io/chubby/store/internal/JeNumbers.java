package io.chubby.store.internal;

import com.sleepycat.je.Environment;
import com.sleepycat.je.EnvironmentStats;
import com.sleepycat.je.StatsConfig;
import io.chubby.spi.MetricSource.Metric;
import java.util.List;

/**
 * The Berkeley DB JE figures a replica's operator watches, as plain numbers: the cache's use and
 * size, the log on disk, the cleaner's backlog, checkpoints. {@link #read} is the edge (a fast
 * {@code EnvironmentStats}: counters only, no B-tree walk); {@link #metrics} is pure.
 */
record JeNumbers(long cacheBytes, long cacheMaxBytes, long cacheMisses, long logBytes, long activeLogBytes,
                 long cleanerBacklog, long cleanerRuns, long checkpoints) {

    private static final StatsConfig FAST = new StatsConfig().setFast(true);

    static JeNumbers read(Environment env) {
        EnvironmentStats s = env.getStats(FAST);
        return new JeNumbers(s.getCacheTotalBytes(), env.getConfig().getCacheSize(), s.getNCacheMiss(),
                s.getTotalLogSize(), s.getActiveLogSize(), s.getCleanerBacklog(), s.getNCleanerRuns(),
                s.getNCheckpoints());
    }

    List<Metric> metrics() {
        return List.of(
                Metric.gauge("chubby_je_cache_bytes", "JE cache in use", cacheBytes),
                Metric.gauge("chubby_je_cache_max_bytes", "JE cache size configured (store.cache.mb)", cacheMaxBytes),
                Metric.counter("chubby_je_cache_misses", "JE cache misses (reads from the log files)", cacheMisses),
                Metric.gauge("chubby_je_log_bytes", "JE log files on disk", logBytes),
                Metric.gauge("chubby_je_log_active_bytes", "JE log files holding live data", activeLogBytes),
                Metric.gauge("chubby_je_cleaner_backlog", "JE log files waiting for the cleaner", cleanerBacklog),
                Metric.counter("chubby_je_cleaner_runs", "JE cleaner runs", cleanerRuns),
                Metric.counter("chubby_je_checkpoints", "JE checkpoints", checkpoints));
    }
}
