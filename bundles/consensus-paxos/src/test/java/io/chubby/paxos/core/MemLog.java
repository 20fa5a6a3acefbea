package io.chubby.paxos.core;

import java.util.TreeMap;

/** An in-memory durable log for tests (everything written is durable). */
final class MemLog implements LogReader {
    final TreeMap<Long, Entry> entries = new TreeMap<>();
    Ballot promised = Ballot.ZERO;

    void persist(Ready r) {
        if (r.promised() != null) {
            promised = r.promised();
        }
        for (Entry e : r.entries()) {
            entries.put(e.index(), e);
        }
    }

    @Override
    public Entry entry(long index) {
        return entries.get(index);
    }

    @Override
    public long firstIndex() {
        return entries.isEmpty() ? 0 : entries.firstKey();
    }

    @Override
    public long lastIndex() {
        return entries.isEmpty() ? 0 : entries.lastKey();
    }
}
