package io.chubby.store.internal;

/**
 * Tuning of one JE environment (keys {@code store.*} of PID {@code io.chubby.store}).
 *
 * @param cacheMb        JE cache size in MiB ({@code store.cache.mb})
 * @param logFileMb      size of each JE log file in MiB ({@code store.log.file.mb}); the cleaner
 *                       reclaims space a whole file at a time, so smaller files free disk sooner
 * @param truncateChunk  log entries removed per transaction by {@code truncateBefore}
 *                       ({@code store.truncate.chunk}), so compaction never builds one huge
 *                       transaction nor blocks writers for long
 */
public record StoreSettings(int cacheMb, int logFileMb, int truncateChunk) {
    public static final int DEFAULT_CACHE_MB = 64;
    public static final int DEFAULT_LOG_FILE_MB = 16;
    public static final int DEFAULT_TRUNCATE_CHUNK = 500;

    public StoreSettings {
        if (cacheMb < 1) {
            throw new IllegalArgumentException("store.cache.mb must be >= 1, was " + cacheMb);
        }
        if (logFileMb < 1 || logFileMb > 1024) {
            throw new IllegalArgumentException("store.log.file.mb must be 1..1024, was " + logFileMb);
        }
        if (truncateChunk < 1) {
            throw new IllegalArgumentException("store.truncate.chunk must be >= 1, was " + truncateChunk);
        }
    }

    public static StoreSettings defaults() {
        return new StoreSettings(DEFAULT_CACHE_MB, DEFAULT_LOG_FILE_MB, DEFAULT_TRUNCATE_CHUNK);
    }
}
