package io.chubby.testkit;

import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * A {@link LogStore} in memory: metadata values and log entries by index, each batch applied
 * whole. It survives a replica "restart" (hand the same object to the new replica). Optionally a
 * synced write takes a while, like an fsync ({@link #fsyncLatency}), so that group commit can be
 * seen; {@link #syncedWrites()} and {@link #entriesWritten()} count what reached it.
 *
 * <p>Threads: every method may be called from any thread; writes are serialised by this object's
 * monitor (a synced write holds it for the whole simulated fsync, as one disk would).
 */
public final class MemoryLogStore implements LogStore {
    private final Map<String, byte[]> meta = new HashMap<>();
    private final TreeMap<Long, byte[]> entries = new TreeMap<>();
    private int syncedWrites;
    private int entriesWritten;
    private volatile long syncNanos;
    private volatile LongConsumer onSyncedWrite = i -> { };

    /** Makes every synced write take this long, like an fsync. */
    public void fsyncLatency(long micros) {
        syncNanos = micros * 1000;
    }

    /**
     * Told the highest entry index of every synced write (0 if it had no entries), on the writing
     * thread, when the write is durable (ordering tests).
     */
    public void onSyncedWrite(LongConsumer listener) {
        onSyncedWrite = listener;
    }

    @Override
    public synchronized byte[] meta(String key) {
        return meta.get(key);
    }

    @Override
    public synchronized byte[] entry(long index) {
        return entries.get(index);
    }

    @Override
    public synchronized long firstIndex() {
        return entries.isEmpty() ? 0 : entries.firstKey();
    }

    @Override
    public synchronized long lastIndex() {
        return entries.isEmpty() ? 0 : entries.lastKey();
    }

    @Override
    public void scan(long fromIndex, long toIndex, EntryVisitor visitor) {
        NavigableMap<Long, byte[]> view;
        synchronized (this) {
            view = new TreeMap<>(entries.subMap(fromIndex, true, toIndex, true));
        }
        for (Map.Entry<Long, byte[]> e : view.entrySet()) {
            if (!visitor.visit(e.getKey(), e.getValue())) {
                return;
            }
        }
    }

    @Override
    public synchronized void write(LogBatch batch) {
        if (batch.deleteFromIndex() > 0) {
            entries.tailMap(batch.deleteFromIndex(), true).clear();
        }
        meta.putAll(batch.meta());
        for (LogBatch.Put p : batch.entries()) {
            entries.put(p.index(), p.value());
        }
        entriesWritten += batch.entries().size();
        if (batch.sync()) {
            syncedWrites++;
            long until = System.nanoTime() + syncNanos;
            while (syncNanos > 0 && System.nanoTime() < until) {
                LockSupport.parkNanos(until - System.nanoTime());
            }
            onSyncedWrite.accept(batch.entries().stream().mapToLong(LogBatch.Put::index).max().orElse(0));
        }
    }

    @Override
    public synchronized void truncateBefore(long index) {
        entries.headMap(index, false).clear();
    }

    /** How many writes were synced (fsyncs). */
    public synchronized int syncedWrites() {
        return syncedWrites;
    }

    /** How many entries were written in all. */
    public synchronized int entriesWritten() {
        return entriesWritten;
    }
}
