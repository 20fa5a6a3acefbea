package io.chubby.store.internal;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseConfig;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.DatabaseException;
import com.sleepycat.je.Environment;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationStatus;
import com.sleepycat.je.Transaction;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Paxos log of one group in JE: database {@value #META_DB} (UTF-8 string keys) and database
 * {@value #LOG_DB} (8-byte big-endian index keys), both named with the group's prefix
 * ({@link GroupNames}: none for group 0). Each {@link #write} is one transaction, fsynced when the
 * batch asks for it, so one fsync covers a whole batch (group commit); {@link BdbLogStores#writeAll}
 * writes several groups' batches in one transaction through {@link #applyIn}.
 *
 * <p>Thread-safety: writers ({@link #write}, {@link #truncateBefore}) are serialized by
 * {@code writes}, which also guards the cached bounds; readers take no Java lock and read the
 * bounds through volatile fields. Scans read a page at a time and call the visitor with no JE lock
 * held, so a visitor may write to the store.
 */
final class BdbLogStore implements LogStore {
    static final String META_DB = "log.meta";
    static final String LOG_DB = "log.entries";
    private static final int SCAN_PAGE = 128;
    private static final Logger log = LoggerFactory.getLogger(BdbLogStore.class);

    private final Environment env;
    private final int group;
    /** Where this log's batches and fsyncs are counted (shared by every group of the environment). */
    private final LogWriteStats stats;
    private final Database meta;
    private final Database entries;
    private final int truncateChunk;
    /**
     * Fair, so that a writer waiting behind a truncation chunk gets the lock before the truncation
     * takes its next chunk (an unfair lock let the compactor thread barge back in).
     */
    private final ReentrantLock writes = new ReentrantLock(true);
    /** Transactions {@link #truncateBefore} committed since the store opened; under {@code writes}. */
    private long truncateTransactions;
    /** Cached bounds; replaced only under {@code writes}, after the commit that changed them. */
    private volatile Bounds bounds;

    /** Lowest and highest index present, both 0 when the log is empty; one object so readers see a consistent pair. */
    record Bounds(long first, long last) {
        static final Bounds EMPTY = new Bounds(0, 0);

        Bounds with(long index) {
            return first == 0 ? new Bounds(index, index) : new Bounds(Math.min(first, index), Math.max(last, index));
        }
    }

    /** Opens (creating if needed) the log of {@code group} (database names: {@link GroupNames#prefix}). */
    BdbLogStore(Environment env, DatabaseConfig dbConfig, int truncateChunk, int group, LogWriteStats stats) {
        String prefix = GroupNames.prefix(group);
        this.env = env;
        this.group = group;
        this.stats = stats;
        this.truncateChunk = truncateChunk;
        this.meta = env.openDatabase(null, prefix + META_DB, dbConfig);
        Database opened = null;
        try {
            opened = env.openDatabase(null, prefix + LOG_DB, dbConfig);
        } finally {
            if (opened == null) {
                meta.close();
            }
        }
        this.entries = opened;
        this.bounds = scanBounds(null);
    }

    @Override
    public byte[] meta(String key) {
        return read(meta, Bytes.utf8(key), "meta read key=" + key);
    }

    @Override
    public byte[] entry(long index) {
        return index < 1 ? null : read(entries, Bytes.indexKey(index), "log read index=" + index);
    }

    @Override
    public long firstIndex() {
        return bounds.first();
    }

    @Override
    public long lastIndex() {
        return bounds.last();
    }

    @Override
    public void scan(long fromIndex, long toIndex, EntryVisitor visitor) {
        long next = Math.max(fromIndex, 1);
        while (next <= toIndex) {
            List<Map.Entry<Long, byte[]>> page = page(next, toIndex);
            for (Map.Entry<Long, byte[]> e : page) {
                if (!visitor.visit(e.getKey(), e.getValue())) {
                    return;
                }
            }
            if (page.size() < SCAN_PAGE) {
                return;
            }
            next = page.get(page.size() - 1).getKey() + 1;
        }
    }

    /** Up to one page of entries in [from, to], read with the cursor closed before anyone sees them. */
    private List<Map.Entry<Long, byte[]>> page(long from, long to) {
        List<Map.Entry<Long, byte[]>> page = new ArrayList<>();
        DatabaseEntry key = new DatabaseEntry(Bytes.indexKey(from));
        DatabaseEntry data = new DatabaseEntry();
        try (Cursor c = entries.openCursor(null, CursorConfig.READ_COMMITTED)) {
            OperationStatus s = c.getSearchKeyRange(key, data, null);
            while (s == OperationStatus.SUCCESS && page.size() < SCAN_PAGE) {
                long index = Bytes.index(Bytes.of(key));
                if (index > to) {
                    break;
                }
                page.add(Map.entry(index, Bytes.of(data)));
                s = c.getNext(key, data, null);
            }
        } catch (DatabaseException e) {
            throw Txns.failure("log scan from=" + from, e);
        }
        return page;
    }

    @Override
    public void write(LogBatch batch) {
        validate(batch);
        if (batch.isEmpty()) {
            if (batch.sync()) {
                flush();
            }
            return;
        }
        writes.lock();
        try {
            bounds = Txns.run(env, batch.sync() ? Txns.SYNC : Txns.NO_SYNC, "log write", txn -> apply(txn, batch),
                    nanos -> stats.committed(batch.sync(), nanos));
        } finally {
            writes.unlock();
        }
        stats.batch(group, batch.entries().size());
    }

    /** Refuses entries without an index >= 1 or a value, before anything is written. */
    static void validate(LogBatch batch) {
        for (LogBatch.Put p : batch.entries()) {
            if (p.index() < 1 || p.value() == null) {
                throw new ChubbyException(ErrorCode.INVALID_ARGUMENT,
                        "log entry needs index >= 1 and a value, got index=" + p.index());
            }
        }
    }

    /** The lock that orders this log's writers; {@link BdbLogStores#writeAll} holds it around {@link #applyIn}. */
    ReentrantLock writeLock() {
        return writes;
    }

    /**
     * Applies a validated batch inside another writer's transaction; the caller holds
     * {@link #writeLock()} and, once {@code txn} committed, passes the result to {@link #committed}.
     */
    Bounds applyIn(Transaction txn, LogBatch batch) {
        return apply(txn, batch);
    }

    /** Publishes the bounds a committed {@link #applyIn} left; the caller holds {@link #writeLock()}. */
    void committed(Bounds after) {
        bounds = after;
    }

    /** Applies the batch inside {@code txn}; returns the bounds it leaves. */
    private Bounds apply(Transaction txn, LogBatch batch) {
        Bounds b = bounds;
        if (batch.deleteFromIndex() > 0 && batch.deleteFromIndex() <= b.last()) {
            deleteFrom(txn, batch.deleteFromIndex());
            b = scanBounds(txn);
        }
        for (Map.Entry<String, byte[]> m : batch.meta().entrySet()) {
            DatabaseEntry k = new DatabaseEntry(Bytes.utf8(m.getKey()));
            if (m.getValue() == null) {
                meta.delete(txn, k);
            } else {
                meta.put(txn, k, new DatabaseEntry(m.getValue()));
            }
        }
        for (LogBatch.Put p : batch.entries()) {
            entries.put(txn, new DatabaseEntry(Bytes.indexKey(p.index())), new DatabaseEntry(p.value()));
            b = b.with(p.index());
        }
        return b;
    }

    private void deleteFrom(Transaction txn, long index) {
        DatabaseEntry key = new DatabaseEntry(Bytes.indexKey(index));
        DatabaseEntry data = new DatabaseEntry();
        data.setPartial(0, 0, true); // keys only: no need to fetch the values we delete
        int n = 0;
        try (Cursor c = entries.openCursor(txn, null)) {
            OperationStatus s = c.getSearchKeyRange(key, data, LockMode.RMW);
            while (s == OperationStatus.SUCCESS) {
                c.delete();
                n++;
                s = c.getNext(key, data, LockMode.RMW);
            }
        }
        log.debug("log suffix deleted from={} count={}", index, n);
    }

    @Override
    public void truncateBefore(long index) {
        long removed = 0;
        while (true) {
            writes.lock();
            try {
                if (bounds.first() == 0 || bounds.first() >= index) {
                    break;
                }
                // One bounded transaction per chunk; the lock is released between chunks so
                // appends are not stalled behind a long compaction, and a chunk ends early as soon
                // as a writer waits (the replica loop's append carries its heartbeats and answers:
                // waiting behind 500 deletes on a loaded machine cost masters their lease).
                long n = Txns.run(env, Txns.NO_SYNC, "log truncate before=" + index, txn -> truncateChunk(txn, index));
                if (n == 0) {
                    break; // cannot happen while first < index; never spin if it does
                }
                truncateTransactions++;
                removed += n;
                bounds = scanBounds(null);
            } finally {
                writes.unlock();
            }
        }
        if (removed > 0) {
            log.info("log truncated before={} removed={} first={} last={}", index, removed, firstIndex(), lastIndex());
        }
    }

    /** How many transactions truncations committed since the store opened (tests). */
    long truncateTransactions() {
        writes.lock();
        try {
            return truncateTransactions;
        } finally {
            writes.unlock();
        }
    }

    /**
     * Deletes up to one chunk of entries below {@code index}, fewer (at least one) when a writer
     * starts waiting for the lock meanwhile; returns how many.
     */
    private long truncateChunk(Transaction txn, long index) {
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry data = new DatabaseEntry();
        data.setPartial(0, 0, true);
        long n = 0;
        try (Cursor c = entries.openCursor(txn, null)) {
            OperationStatus s = c.getFirst(key, data, LockMode.RMW);
            while (s == OperationStatus.SUCCESS && n < truncateChunk && Bytes.index(Bytes.of(key)) < index) {
                c.delete();
                n++;
                if (writes.hasQueuedThreads()) {
                    break; // a writer waits: commit what we have and let it in
                }
                s = c.getNext(key, data, LockMode.RMW);
            }
        }
        return n;
    }

    /** The bounds as seen by {@code txn} (null: committed state); two B-tree descents. */
    private Bounds scanBounds(Transaction txn) {
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry data = new DatabaseEntry();
        data.setPartial(0, 0, true);
        try (Cursor c = entries.openCursor(txn, txn == null ? CursorConfig.READ_COMMITTED : null)) {
            if (c.getFirst(key, data, null) != OperationStatus.SUCCESS) {
                return Bounds.EMPTY;
            }
            long f = Bytes.index(Bytes.of(key));
            c.getLast(key, data, null);
            return new Bounds(f, Bytes.index(Bytes.of(key)));
        }
    }

    void flush() {
        try {
            long start = System.nanoTime();
            env.flushLog(true);
            stats.committed(true, System.nanoTime() - start);
        } catch (DatabaseException e) {
            throw Txns.failure("log flush", e);
        }
    }

    private static byte[] read(Database db, byte[] k, String op) {
        DatabaseEntry data = new DatabaseEntry();
        try {
            OperationStatus s = db.get(null, new DatabaseEntry(k), data, LockMode.READ_COMMITTED);
            return s == OperationStatus.SUCCESS ? Bytes.of(data) : null;
        } catch (DatabaseException e) {
            throw Txns.failure(op, e);
        }
    }

    void close() {
        entries.close();
        meta.close();
    }
}
