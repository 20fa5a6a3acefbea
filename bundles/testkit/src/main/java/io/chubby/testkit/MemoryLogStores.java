package io.chubby.testkit;

import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStores;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link LogStores} in memory: one {@link MemoryLogStore} per group, created on first use, and
 * {@link #writeAll} applying every group's batch under one lock with at most one simulated fsync
 * ({@link #fsyncLatency}), as bdb-store's one JE transaction does. Counts what reached it:
 * {@link #writeAllCalls()} and {@link #syncedWrites()} (fsyncs across groups, by either
 * {@code writeAll} or a group view's own {@code write}). Survives a replica "restart" (hand the same
 * object to the new replica).
 *
 * <p>Threads: every method may be called from any thread; {@code writeAll} holds this object's
 * monitor for its whole simulated fsync, as one disk would.
 */
public final class MemoryLogStores implements LogStores {
    private final Map<Integer, MemoryLogStore> groups = new ConcurrentHashMap<>();
    private volatile long syncNanos;
    private int writeAllCalls;
    private int syncedWriteAlls;
    private int batchesWritten;

    /** Makes every synced {@code writeAll} (and every synced write of a group view) take this long. */
    public void fsyncLatency(long micros) {
        syncNanos = micros * 1000;
        groups.values().forEach(g -> g.fsyncLatency(micros));
    }

    @Override
    public MemoryLogStore group(int group) {
        if (group < 0 || group >= io.chubby.api.PartitionHash.SLOTS) {
            throw new IllegalArgumentException("group " + group + " out of range");
        }
        return groups.computeIfAbsent(group, g -> {
            MemoryLogStore s = new MemoryLogStore();
            s.fsyncLatency(syncNanos / 1000);
            return s;
        });
    }

    @Override
    public synchronized void writeAll(Map<Integer, LogBatch> batches) {
        boolean sync = false;
        for (Map.Entry<Integer, LogBatch> e : new TreeMap<>(batches).entrySet()) {
            LogBatch b = e.getValue();
            sync |= b.sync();
            group(e.getKey()).write(unsynced(b));
        }
        writeAllCalls++;
        batchesWritten += batches.size();
        if (sync) {
            syncedWriteAlls++;
            long until = System.nanoTime() + syncNanos;
            while (syncNanos > 0 && System.nanoTime() < until) {
                LockSupport.parkNanos(until - System.nanoTime());
            }
        }
    }

    private static LogBatch unsynced(LogBatch b) {
        LogBatch copy = new LogBatch();
        if (b.deleteFromIndex() > 0) {
            copy.deleteFrom(b.deleteFromIndex());
        }
        b.meta().forEach(copy::putMeta);
        b.entries().forEach(p -> copy.putEntry(p.index(), p.value()));
        return copy;
    }

    /** How many {@code writeAll} calls there were. */
    public synchronized int writeAllCalls() {
        return writeAllCalls;
    }

    /** How many group batches all {@code writeAll} calls carried (more than the calls: groups shared a write). */
    public synchronized int batchesWritten() {
        return batchesWritten;
    }

    /** Fsyncs in all: synced {@code writeAll}s plus synced writes of the group views. */
    public synchronized int syncedWrites() {
        int n = syncedWriteAlls;
        for (MemoryLogStore g : groups.values()) {
            n += g.syncedWrites();
        }
        return n;
    }
}
