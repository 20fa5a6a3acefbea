package io.chubby.paxos.core;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The durable log as the core sees it: entries handed out in a {@link Ready} but not yet
 * persisted (the edge persists them before {@link PaxosNode#advance}) overlaid on the edge's
 * {@link LogReader}. Owned by the node's thread.
 */
final class LogView {
    private final LogReader durable;
    private final TreeMap<Long, Entry> unstable = new TreeMap<>();

    LogView(LogReader durable) {
        this.durable = durable;
    }

    Entry entry(long index) {
        Entry e = unstable.get(index);
        return e != null ? e : durable.entry(index);
    }

    void put(Entry e) {
        unstable.put(e.index(), e);
    }

    long lastIndex() {
        long d = durable.lastIndex();
        return unstable.isEmpty() ? d : Math.max(d, unstable.lastKey());
    }

    /** Lowest index held, 0 when nothing is held. */
    long firstIndex() {
        long d = durable.firstIndex();
        if (unstable.isEmpty()) {
            return d;
        }
        return d == 0 ? unstable.firstKey() : Math.min(d, unstable.firstKey());
    }

    /** The edge persisted these: the durable log now answers for them. */
    void persisted(List<Entry> entries) {
        for (Entry e : entries) {
            unstable.remove(e.index(), e);
        }
    }

    /** Consecutive entries from {@code from}, at most {@code maxEntries} and about {@code maxBytes}; stops at a hole. */
    List<Entry> range(long from, long to, int maxEntries, int maxBytes) {
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = from; i <= to && out.size() < maxEntries; i++) {
            Entry e = entry(i);
            if (e == null || (!out.isEmpty() && bytes + e.value().length > maxBytes)) {
                break;
            }
            bytes += e.value().length;
            out.add(e);
        }
        return out;
    }
}
