package io.chubby.sim;

import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.LogReader;
import java.util.TreeMap;

/**
 * One replica's simulated disk for the Paxos state: a synced part that survives a crash and an
 * unsynced part (writes not yet fsynced) that a crash throws away. Reads see both, as a process
 * reading its own writes does.
 */
public final class SimStorage implements LogReader {
    private Ballot syncedPromised = Ballot.ZERO;
    private final TreeMap<Long, Entry> synced = new TreeMap<>();
    private Ballot pendingPromised;
    private final TreeMap<Long, Entry> pending = new TreeMap<>();
    private final TreeMap<Long, Entry> view = new TreeMap<>();

    /** Writes a batch; with {@code sync} everything written so far becomes durable. */
    public void write(Ballot promised, Iterable<Entry> entries, boolean sync) {
        if (promised != null) {
            pendingPromised = promised;
        }
        for (Entry e : entries) {
            pending.put(e.index(), e);
            view.put(e.index(), e);
        }
        if (sync) {
            fsync();
        }
    }

    public void fsync() {
        if (pendingPromised != null) {
            syncedPromised = pendingPromised;
            pendingPromised = null;
        }
        synced.putAll(pending);
        pending.clear();
    }

    /** Drops every entry below {@code index} (log compaction or snapshot install); durable at once. */
    public void truncateBefore(long index) {
        synced.headMap(index).clear();
        pending.headMap(index).clear();
        view.headMap(index).clear();
    }

    /** A crash: whatever was not fsynced is gone. */
    public void crash() {
        pendingPromised = null;
        pending.clear();
        view.clear();
        view.putAll(synced);
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
