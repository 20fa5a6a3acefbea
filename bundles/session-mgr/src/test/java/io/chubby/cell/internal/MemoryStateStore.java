package io.chubby.cell.internal;

import io.chubby.spi.StateStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** In-memory StateStore for tests: sorted tables of unsigned byte keys. */
final class MemoryStateStore implements StateStore {
    private final TreeMap<String, TreeMap<byte[], byte[]>> tables = new TreeMap<>();
    private long appliedIndex;
    private long checksum;
    int commits;

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
        return t == null ? null : t.get(key);
    }

    @Override
    public synchronized void scan(String table, byte[] from, byte[] to, RecordVisitor visitor) {
        TreeMap<byte[], byte[]> t = tables.get(table);
        if (t == null) {
            return;
        }
        for (Map.Entry<byte[], byte[]> e : t.entrySet()) {
            if ((from != null && Arrays.compareUnsigned(e.getKey(), from) < 0)
                    || (to != null && Arrays.compareUnsigned(e.getKey(), to) >= 0)) {
                continue;
            }
            if (!visitor.visit(e.getKey(), e.getValue())) {
                return;
            }
        }
    }

    @Override
    public synchronized List<String> tables() {
        List<String> out = new ArrayList<>();
        tables.forEach((k, v) -> {
            if (!v.isEmpty()) {
                out.add(k);
            }
        });
        return out;
    }

    @Override
    public synchronized void commit(long index, long sum, List<Mutation> mutations) {
        for (Mutation m : mutations) {
            TreeMap<byte[], byte[]> t = tables.computeIfAbsent(m.table(), k -> new TreeMap<>(Arrays::compareUnsigned));
            if (m.value() == null) {
                t.remove(m.key());
            } else {
                t.put(m.key(), m.value());
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
            tables.computeIfAbsent(r.table(), k -> new TreeMap<>(Arrays::compareUnsigned)).put(r.key(), r.value());
        }
        appliedIndex = index;
        checksum = sum;
    }

    @Override
    public void sync() {
    }
}
