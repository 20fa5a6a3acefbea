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
import io.chubby.spi.StateStore;
import java.nio.ByteBuffer;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Replicated state of one group in JE: one database per table, named
 * {@code <prefix>}{@value #TABLE_PREFIX}{@code <table>} (so the environment's database names are
 * the persistent table list), plus database {@code <prefix>}{@value #META_DB} holding the applied
 * index and checksum, written in the same transaction as the mutations they describe. The prefix
 * is the group's ({@link GroupNames}): none for group 0, whose names are those of a store written
 * before groups existed. Keys use JE's default order: bytewise unsigned.
 *
 * <p>Thread-safety: writers ({@link #commit}, {@link #replaceAll}) are serialized by
 * {@code writes}; readers take no Java lock. Scans read a page at a time and call the visitor
 * with no JE lock held.
 */
final class BdbStateStore implements StateStore {
    static final String META_DB = "state.meta";
    static final String TABLE_PREFIX = "state.table.";
    private static final byte[] APPLIED_KEY = Bytes.utf8("applied");
    private static final int SCAN_PAGE = 256;

    private final Environment env;
    private final DatabaseConfig dbConfig;
    /** {@code <prefix>state.table.}: the start of every table database name of this group. */
    private final String tablePrefix;
    private final Database meta;
    /** Open handles of every table database; tables are created lazily and never dropped. */
    private final Map<String, Database> tables = new ConcurrentHashMap<>();
    private final ReentrantLock writes = new ReentrantLock();
    /** Both written only under {@code writes}, after the commit that recorded them. */
    private volatile long applied;
    private volatile long checksum;

    /** Opens (creating if needed) the state whose database names start with {@code prefix}. */
    BdbStateStore(Environment env, DatabaseConfig dbConfig, String prefix) {
        this.env = env;
        this.dbConfig = dbConfig;
        this.tablePrefix = prefix + TABLE_PREFIX;
        this.meta = env.openDatabase(null, prefix + META_DB, dbConfig);
        for (String name : env.getDatabaseNames()) {
            if (name.startsWith(tablePrefix)) {
                tables.put(name.substring(tablePrefix.length()), env.openDatabase(null, name, dbConfig));
            }
        }
        DatabaseEntry data = new DatabaseEntry();
        if (meta.get(null, new DatabaseEntry(APPLIED_KEY), data, LockMode.READ_COMMITTED) == OperationStatus.SUCCESS) {
            ByteBuffer b = ByteBuffer.wrap(Bytes.of(data));
            this.applied = b.getLong();
            this.checksum = b.getLong();
        }
    }

    @Override
    public long appliedIndex() {
        return applied;
    }

    @Override
    public long checksum() {
        return checksum;
    }

    @Override
    public byte[] get(String table, byte[] key) {
        Database db = tables.get(table);
        if (db == null) {
            return null;
        }
        DatabaseEntry data = new DatabaseEntry();
        try {
            OperationStatus s = db.get(null, new DatabaseEntry(key), data, LockMode.READ_COMMITTED);
            return s == OperationStatus.SUCCESS ? Bytes.of(data) : null;
        } catch (DatabaseException e) {
            throw Txns.failure("state get table=" + table, e);
        }
    }

    @Override
    public void scan(String table, byte[] fromInclusive, byte[] toExclusive, RecordVisitor visitor) {
        Database db = tables.get(table);
        if (db == null) {
            return;
        }
        byte[] from = fromInclusive;
        while (true) {
            List<Map.Entry<byte[], byte[]>> page = page(db, table, from, toExclusive);
            for (Map.Entry<byte[], byte[]> e : page) {
                if (!visitor.visit(e.getKey(), e.getValue())) {
                    return;
                }
            }
            if (page.size() < SCAN_PAGE) {
                return;
            }
            from = Bytes.successor(page.get(page.size() - 1).getKey());
        }
    }

    private List<Map.Entry<byte[], byte[]>> page(Database db, String table, byte[] from, byte[] to) {
        List<Map.Entry<byte[], byte[]>> page = new ArrayList<>();
        DatabaseEntry key = from == null ? new DatabaseEntry() : new DatabaseEntry(from);
        DatabaseEntry data = new DatabaseEntry();
        try (Cursor c = db.openCursor(null, CursorConfig.READ_COMMITTED)) {
            OperationStatus s = from == null ? c.getFirst(key, data, null) : c.getSearchKeyRange(key, data, null);
            while (s == OperationStatus.SUCCESS && page.size() < SCAN_PAGE) {
                byte[] k = Bytes.of(key);
                if (to != null && Arrays.compareUnsigned(k, to) >= 0) {
                    break;
                }
                page.add(new AbstractMap.SimpleImmutableEntry<>(k, Bytes.of(data)));
                s = c.getNext(key, data, null);
            }
        } catch (DatabaseException e) {
            throw Txns.failure("state scan table=" + table, e);
        }
        return page;
    }

    @Override
    public List<String> tables() {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Database> t : tables.entrySet()) {
            if (!isEmpty(t.getValue())) {
                names.add(t.getKey());
            }
        }
        names.sort(null);
        return names;
    }

    private static boolean isEmpty(Database db) {
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry data = new DatabaseEntry();
        data.setPartial(0, 0, true);
        try (Cursor c = db.openCursor(null, CursorConfig.READ_COMMITTED)) {
            return c.getFirst(key, data, null) != OperationStatus.SUCCESS;
        }
    }

    @Override
    public void commit(long appliedIndex, long checksum, List<Mutation> mutations) {
        for (Mutation m : mutations) {
            if (m.key() == null) {
                throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "mutation without key in table=" + m.table());
            }
            checkTableName(m.table());
        }
        writes.lock();
        try {
            for (Mutation m : mutations) {
                if (m.value() != null) {
                    table(m.table()); // created (auto-commit) before the transaction that fills it
                }
            }
            Txns.run(env, Txns.NO_SYNC, "state commit applied=" + appliedIndex, txn -> {
                for (Mutation m : mutations) {
                    Database db = tables.get(m.table());
                    if (db == null) {
                        continue; // a delete in a table that never existed
                    }
                    DatabaseEntry k = new DatabaseEntry(m.key());
                    if (m.value() == null) {
                        db.delete(txn, k);
                    } else {
                        db.put(txn, k, new DatabaseEntry(m.value()));
                    }
                }
                putApplied(txn, appliedIndex, checksum);
                return null;
            });
            this.applied = appliedIndex;
            this.checksum = checksum;
        } finally {
            writes.unlock();
        }
    }

    /**
     * Deletes every record of every table and writes {@code records}, in one transaction. It is
     * fsynced: after a snapshot install the log below the snapshot may not exist here, so this
     * state cannot be rebuilt by replay.
     */
    @Override
    public void replaceAll(long appliedIndex, long checksum, Iterator<Record> records) {
        writes.lock();
        try {
            Txns.run(env, Txns.SYNC, "state replaceAll applied=" + appliedIndex, txn -> {
                for (Database db : tables.values()) {
                    clear(txn, db);
                }
                while (records.hasNext()) {
                    Record r = records.next();
                    checkTableName(r.table());
                    if (r.key() == null || r.value() == null) {
                        throw new ChubbyException(ErrorCode.INVALID_ARGUMENT,
                                "snapshot record needs a key and a value, table=" + r.table());
                    }
                    table(r.table()).put(txn, new DatabaseEntry(r.key()), new DatabaseEntry(r.value()));
                }
                putApplied(txn, appliedIndex, checksum);
                return null;
            });
            this.applied = appliedIndex;
            this.checksum = checksum;
        } finally {
            writes.unlock();
        }
    }

    private static void clear(Transaction txn, Database db) {
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry data = new DatabaseEntry();
        data.setPartial(0, 0, true);
        try (Cursor c = db.openCursor(txn, null)) {
            OperationStatus s = c.getFirst(key, data, LockMode.RMW);
            while (s == OperationStatus.SUCCESS) {
                c.delete();
                s = c.getNext(key, data, LockMode.RMW);
            }
        }
    }

    private void putApplied(Transaction txn, long appliedIndex, long sum) {
        byte[] v = ByteBuffer.allocate(16).putLong(appliedIndex).putLong(sum).array();
        meta.put(txn, new DatabaseEntry(APPLIED_KEY), new DatabaseEntry(v));
    }

    /** The table's database, created on first use. Called only under {@code writes}. */
    private Database table(String name) {
        Database db = tables.get(name);
        if (db == null) {
            try {
                db = env.openDatabase(null, tablePrefix + name, dbConfig);
            } catch (DatabaseException e) {
                throw Txns.failure("state create table=" + name, e);
            }
            tables.put(name, db);
        }
        return db;
    }

    private static void checkTableName(String table) {
        if (table == null || table.isEmpty()) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "table name must not be empty");
        }
    }

    @Override
    public void sync() {
        try {
            env.flushLog(true);
        } catch (DatabaseException e) {
            throw Txns.failure("state sync", e);
        }
    }

    void close() {
        for (Database db : tables.values()) {
            db.close();
        }
        tables.clear();
        meta.close();
    }
}
