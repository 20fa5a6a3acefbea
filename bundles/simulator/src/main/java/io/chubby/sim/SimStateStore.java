package io.chubby.sim;

import io.chubby.spi.StateStore;
import io.chubby.testkit.MemoryStateStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * A replica's simulated state store with the durability of the real one: {@link #commit} and
 * {@link #replaceAll} are not fsynced (the Paxos log is the durable record), {@link #sync()} is.
 * A crash keeps what was synced plus any prefix of the later writes (a torn tail: the transactions
 * are atomic, the order is kept, how far the disk got is not known), chosen by the seed.
 */
final class SimStateStore implements StateStore {
    /** One unsynced write, replayable onto the durable image. */
    private sealed interface Write {
    }

    private record Commit(long index, long sum, List<Mutation> mutations) implements Write {
    }

    private record Replace(long index, long sum, List<Record> records) implements Write {
    }

    private MemoryStateStore live = new MemoryStateStore();
    private MemoryStateStore durable = new MemoryStateStore();
    private final List<Write> unsynced = new ArrayList<>();

    @Override
    public long appliedIndex() {
        return live.appliedIndex();
    }

    @Override
    public long checksum() {
        return live.checksum();
    }

    @Override
    public byte[] get(String table, byte[] key) {
        return live.get(table, key);
    }

    @Override
    public void scan(String table, byte[] fromInclusive, byte[] toExclusive, RecordVisitor visitor) {
        live.scan(table, fromInclusive, toExclusive, visitor);
    }

    @Override
    public List<String> tables() {
        return live.tables();
    }

    @Override
    public void commit(long index, long sum, List<Mutation> mutations) {
        List<Mutation> copy = List.copyOf(mutations);
        live.commit(index, sum, copy);
        unsynced.add(new Commit(index, sum, copy));
    }

    @Override
    public void replaceAll(long index, long sum, Iterator<Record> records) {
        List<Record> all = new ArrayList<>();
        records.forEachRemaining(all::add);
        live.replaceAll(index, sum, all.iterator());
        unsynced.add(new Replace(index, sum, all));
    }

    @Override
    public void sync() {
        for (Write w : unsynced) {
            apply(durable, w);
        }
        unsynced.clear();
    }

    /** A crash: the synced image plus a seeded prefix of the unsynced writes survive. */
    void crash(Random rnd) {
        int kept = unsynced.isEmpty() ? 0 : rnd.nextInt(unsynced.size() + 1);
        for (Write w : unsynced.subList(0, kept)) {
            apply(durable, w);
        }
        unsynced.clear();
        live = copy(durable);
    }

    private static void apply(MemoryStateStore s, Write w) {
        if (w instanceof Commit c) {
            s.commit(c.index(), c.sum(), c.mutations());
        } else if (w instanceof Replace r) {
            s.replaceAll(r.index(), r.sum(), r.records().iterator());
        }
    }

    private static MemoryStateStore copy(MemoryStateStore from) {
        List<Record> all = new ArrayList<>();
        for (String t : from.tables()) {
            from.scan(t, null, null, (k, v) -> all.add(new Record(t, k, v)));
        }
        MemoryStateStore to = new MemoryStateStore();
        to.replaceAll(from.appliedIndex(), from.checksum(), all.iterator());
        return to;
    }
}
