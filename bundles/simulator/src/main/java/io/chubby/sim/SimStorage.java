package io.chubby.sim;

import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.LogReader;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * One replica's simulated disk for the Paxos state: a synced part that survives a crash and an
 * unsynced part (writes not yet fsynced, kept in write order: a batch's promise, then its entries).
 * A crash keeps the synced part and any prefix of the unsynced part (the disk may have written
 * some of it before the power went: a torn batch); {@link #crash()} keeps none of it,
 * {@link #crash(int)} keeps the given number of records. Reads see both parts, as a process reading
 * its own writes does.
 */
public final class SimStorage implements LogReader {
    private Ballot syncedPromised = Ballot.ZERO;
    private final TreeMap<Long, Entry> synced = new TreeMap<>();
    private Ballot pendingPromised;
    /** Unsynced writes in the order they were made: {@link Ballot} (the promise) or {@link Entry}. */
    private final List<Object> pending = new ArrayList<>();
    private final TreeMap<Long, Entry> view = new TreeMap<>();

    /** Writes a batch; with {@code sync} everything written so far becomes durable. */
    public void write(Ballot promised, Iterable<Entry> entries, boolean sync) {
        if (promised != null) {
            pendingPromised = promised;
            pending.add(promised);
        }
        for (Entry e : entries) {
            pending.add(e);
            view.put(e.index(), e);
        }
        if (sync) {
            fsync();
        }
    }

    public void fsync() {
        reachDisk(pending.size());
    }

    /** Drops every entry below {@code index} (log compaction or snapshot install); durable at once. */
    public void truncateBefore(long index) {
        synced.headMap(index).clear();
        pending.removeIf(o -> o instanceof Entry e && e.index() < index);
        view.headMap(index).clear();
    }

    /** How many unsynced records (promises and entries) a crash now could tear. */
    public int unsyncedRecords() {
        return pending.size();
    }

    /** A crash: whatever was not fsynced is gone. */
    public void crash() {
        crash(0);
    }

    /**
     * A crash during which the first {@code records} unsynced records (at most
     * {@link #unsyncedRecords()}) reached the disk and the rest did not. Returns the entries that
     * reached it: they are durable now, as accepted as any synced entry.
     */
    public List<Entry> crash(int records) {
        List<Entry> kept = reachDisk(records);
        pendingPromised = null;
        pending.clear();
        view.clear();
        view.putAll(synced);
        return kept;
    }

    private List<Entry> reachDisk(int records) {
        List<Entry> kept = new ArrayList<>();
        List<Object> head = pending.subList(0, Math.min(records, pending.size()));
        for (Object o : head) {
            if (o instanceof Ballot b) {
                syncedPromised = b;
            } else {
                Entry e = (Entry) o;
                synced.put(e.index(), e);
                kept.add(e);
            }
        }
        head.clear();
        pendingPromised = null;
        for (Object o : pending) {
            if (o instanceof Ballot b) {
                pendingPromised = b;
            }
        }
        return kept;
    }

    public Ballot promised() {
        return pendingPromised != null ? pendingPromised : syncedPromised;
    }

    @Override
    public Entry entry(long index) {
        return view.get(index);
    }

    @Override
    public long firstIndex() {
        return view.isEmpty() ? 0 : view.firstKey();
    }

    @Override
    public long lastIndex() {
        return view.isEmpty() ? 0 : view.lastKey();
    }
}
