package io.chubby.spi;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Durable storage for consensus: small named metadata values (promised ballot and the like) and
 * log entries keyed by index, both opaque bytes. Writes are atomic per {@link LogBatch}; a batch
 * with {@code sync} set is on disk (fsync) before {@link #write} returns, and one such write covers
 * every entry in it (group commit).
 */
@ProviderType
public interface LogStore {

    /** A metadata value, or null if never written. */
    byte[] meta(String key);

    /** The entry at {@code index}, or null if absent (never written, or compacted). */
    byte[] entry(long index);

    /** Lowest index present, or 0 when the log is empty. */
    long firstIndex();

    /** Highest index present, or 0 when the log is empty. */
    long lastIndex();

    /** Visits entries in index order from {@code fromIndex} to {@code toIndex} inclusive; stops when the visitor returns false. */
    void scan(long fromIndex, long toIndex, EntryVisitor visitor);

    /** Applies the batch atomically; fsyncs first when the batch says so. */
    void write(LogBatch batch);

    /** Drops every entry below {@code index} (log compaction after a durable snapshot). */
    void truncateBefore(long index);

    /** Receives log entries from {@link #scan}. */
    @FunctionalInterface
    interface EntryVisitor {
        boolean visit(long index, byte[] value);
    }
}
