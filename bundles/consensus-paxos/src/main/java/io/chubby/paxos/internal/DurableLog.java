package io.chubby.paxos.internal;

import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.LogReader;
import io.chubby.paxos.core.Ready;
import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import java.util.TreeMap;

/**
 * The Paxos acceptor's durable state in a {@link LogStore}, and the core's {@link LogReader} over it.
 *
 * <p>Format: meta key {@value #PROMISED_KEY} holds the promised ballot as a protobuf
 * {@code chubby.peer.v1.Ballot}; the entry at index i is stored under i as a protobuf
 * {@code chubby.peer.v1.Entry} (index, accepted ballot, epoch, value), the same encoding as on
 * the wire. Entries below {@link #firstIndex()} were compacted.
 *
 * <p>Recently written entries are kept decoded in memory, because the master reads each entry back
 * several times (Accepts to every follower, then applying) and a store read plus decode per use
 * would cost more than the write. Owned by the replica loop thread.
 */
final class DurableLog implements LogReader {
    static final String PROMISED_KEY = "paxos.promised";
    private static final int CACHE_ENTRIES = 8192;

    private final LogStore store;
    private final TreeMap<Long, Entry> recent = new TreeMap<>();
    private long first;
    private long last;

    DurableLog(LogStore store) {
        this.store = store;
        this.first = store.firstIndex();
        this.last = store.lastIndex();
    }

    /** The promised ballot on disk, {@link Ballot#ZERO} when never written. */
    Ballot promised() {
        byte[] b = store.meta(PROMISED_KEY);
        return b == null ? Ballot.ZERO : PeerCodec.decodeBallot(b);
    }

    /** Writes the durable part of {@code r} in one batch: one fsync covers all of it (group commit). */
    void persist(Ready r) {
        if (r.promised() == null && r.entries().isEmpty()) {
            return;
        }
        LogBatch batch = new LogBatch().sync(r.sync());
        if (r.promised() != null) {
            batch.putMeta(PROMISED_KEY, PeerCodec.encodeBallot(r.promised()));
        }
        for (Entry e : r.entries()) {
            batch.putEntry(e.index(), PeerCodec.encodeEntry(e));
        }
        store.write(batch);
        for (Entry e : r.entries()) {
            recent.put(e.index(), e);
            last = Math.max(last, e.index());
            first = first == 0 ? e.index() : Math.min(first, e.index());
        }
        while (recent.size() > CACHE_ENTRIES) {
            recent.pollFirstEntry();
        }
    }

    /** Drops every entry below {@code index} (compaction after a durable snapshot). */
    void truncateBefore(long index) {
        if (index <= first) {
            return;
        }
        store.truncateBefore(index);
        recent.headMap(index, false).clear();
        first = store.firstIndex();
        last = store.lastIndex();
    }

    @Override
    public Entry entry(long index) {
        if (index < first || index > last || index <= 0) {
            return null;
        }
        Entry e = recent.get(index);
        if (e != null) {
            return e;
        }
        byte[] b = store.entry(index);
        return b == null ? null : PeerCodec.decodeEntry(b);
    }

    @Override
    public long firstIndex() {
        return first;
    }

    @Override
    public long lastIndex() {
        return last;
    }
}
