package io.chubby.testkit;

import io.chubby.spi.StateStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A {@link StateStore} in memory: named tables of byte keys in unsigned order, the applied index
 * and the checksum, each commit applied whole. Keys and values are copied in and out, as a real
 * store does not share arrays with its callers. The same object survives a "restart" of whatever
 * uses it (hand it to the new instance), which is what the tests of reloading need.
 *
 * <p>Threads: every method holds this object's monitor; a scan visits a copy, so a visitor may
 * call back into the store.
 */
public final class MemoryStateStore implements StateStore {
    private final TreeMap<String, TreeMap<byte[], byte[]>> tables = new TreeMap<>();
    private long appliedIndex;
    private long checksum;
    private int commits;
    private int syncs;
    private String restoredFrom;

    /** Makes this store report {@code line} as its {@link #restoredFrom()} (a store restored from a backup). */
    public synchronized MemoryStateStore restoredFrom(String line) {
        this.restoredFrom = line;
        return this;
    }

    @Override
    public synchronized java.util.Optional<String> restoredFrom() {
        return java.util.Optional.ofNullable(restoredFrom);
    }

    @Override
    public synchronized long appliedIndex() {
        return appliedIndex;
    }

    @Override
    public synchronized long checksum() {
        return checksum;
    }

    @Override
    public synchronized byte[] get(String table, byte[] key) {
        TreeMap<byte[], byte[]> t = tables.get(table);
        byte[] v = t == null ? null : t.get(key);
        return v == null ? null : v.clone();
    }

    @Override
    public void scan(String table, byte[] from, byte[] to, RecordVisitor visitor) {
        List<Map.Entry<byte[], byte[]>> copy = new ArrayList<>();
        synchronized (this) {
            TreeMap<byte[], byte[]> t = tables.get(table);
            if (t == null) {
                return;
            }
            NavigableMap<byte[], byte[]> range = t;
            if (from != null) {
                range = range.tailMap(from, true);
            }
            if (to != null) {
                range = range.headMap(to, false);
            }
            range.forEach((k, v) -> copy.add(Map.entry(k.clone(), v.clone())));
        }
        for (Map.Entry<byte[], byte[]> e : copy) {
            if (!visitor.visit(e.getKey(), e.getValue())) {
                return;
            }
        }
    }

    @Override
    public synchronized List<String> tables() {
        List<String> out = new ArrayList<>();
        tables.forEach((name, t) -> {
            if (!t.isEmpty()) {
                out.add(name);
            }
        });
        return out;
    }

    @Override
    public synchronized void commit(long index, long sum, List<Mutation> mutations) {
        for (Mutation m : mutations) {
            TreeMap<byte[], byte[]> t = table(m.table());
            if (m.value() == null) {
                t.remove(m.key());
            } else {
                t.put(m.key().clone(), m.value().clone());
            }
        }
        appliedIndex = index;
        checksum = sum;
        commits++;
    }

    @Override
    public synchronized void replaceAll(long index, long sum, Iterator<Record> records) {
        tables.clear();
        while (records.hasNext()) {
            Record r = records.next();
            table(r.table()).put(r.key().clone(), r.value().clone());
        }
        appliedIndex = index;
        checksum = sum;
    }

    @Override
    public synchronized void sync() {
        syncs++;
    }

    /** How many {@link #commit} transactions were written (batching tests count them). */
    public synchronized int commits() {
        return commits;
    }

    /** How many times {@link #sync()} was called. */
    public synchronized int syncs() {
        return syncs;
    }

    private TreeMap<byte[], byte[]> table(String name) {
        return tables.computeIfAbsent(name, k -> new TreeMap<>(Arrays::compareUnsigned));
    }
}
