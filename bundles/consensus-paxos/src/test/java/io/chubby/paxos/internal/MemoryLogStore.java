package io.chubby.paxos.internal;

import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** A {@link LogStore} in memory that survives a replica "restart" (the same object is reused). */
final class MemoryLogStore implements LogStore {
    private final Map<String, byte[]> meta = new HashMap<>();
    private final TreeMap<Long, byte[]> entries = new TreeMap<>();
    private int syncedWrites;
    private int entriesWritten;
    private volatile long syncNanos;
    /** Told the highest entry index of every synced write, after it returned (ordering tests). */
    volatile java.util.function.LongConsumer onSyncedWrite = i -> { };

    /** Makes every synced write take this long, like an fsync. */
    void fsyncLatency(long micros) {
        syncNanos = micros * 1000;
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
                java.util.concurrent.locks.LockSupport.parkNanos(until - System.nanoTime());
            }
            onSyncedWrite.accept(batch.entries().stream().mapToLong(LogBatch.Put::index).max().orElse(0));
        }
    }

    @Override
    public synchronized void truncateBefore(long index) {
        entries.headMap(index, false).clear();
    }

    synchronized int syncedWrites() {
        return syncedWrites;
    }

    synchronized int entriesWritten() {
        return entriesWritten;
    }
}
