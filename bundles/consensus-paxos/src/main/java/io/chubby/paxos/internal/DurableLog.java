package io.chubby.paxos.internal;

import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.LogReader;
import io.chubby.paxos.core.Ready;
import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger log = LoggerFactory.getLogger(DurableLog.class);
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
        LogBatch batch = batch(r);
        if (batch != null) {
            store.write(batch);
        }
        written(r);
    }

    /**
     * The durable part of {@code r} as one batch (promised ballot, accepted entries, fsync when
     * {@code r} says so), or null when {@code r} writes nothing. The caller writes it (alone, or
     * with other groups' batches in one {@code LogStores.writeAll}), then calls {@link #written}.
     */
    LogBatch batch(Ready r) {
        if (r.promised() == null && r.entries().isEmpty()) {
            return null;
        }
        LogBatch batch = new LogBatch().sync(r.sync());
        if (r.promised() != null) {
            batch.putMeta(PROMISED_KEY, PeerCodec.encodeBallot(r.promised()));
        }
        for (Entry e : r.entries()) {
            batch.putEntry(e.index(), PeerCodec.encodeEntry(e));
        }
        return batch;
    }

    /** {@link #batch}{@code (r)} is in the store: the log view now includes its entries. */
    void written(Ready r) {
        for (Entry e : r.entries()) {
            recent.put(e.index(), e);
            last = Math.max(last, e.index());
            first = first == 0 ? e.index() : Math.min(first, e.index());
        }
        while (recent.size() > CACHE_ENTRIES) {
            recent.pollFirstEntry();
        }
    }

    /**
     * Compaction: from now on the log starts at {@code index} (entries below it read as absent at
     * once), and the entries are deleted from the store by {@code background}, so a large delete
     * never stalls the loop that renews the lease. The store's own first index may lag until then;
     * a restart in between only keeps a few more entries, all below the durable applied index.
     */
    void compactBefore(long index, Executor background) {
        if (index <= first || index > last) {
            return; // nothing to drop, or everything (only a snapshot install empties the log)
        }
        first = index;
        recent.headMap(index, false).clear();
        background.execute(() -> {
            try {
                store.truncateBefore(index);
            } catch (RuntimeException e) {
                // the entries stay on disk (below the durable applied index); the next compaction retries
                log.warn("log truncation failed before={} error={}", index, e.toString());
            }
        });
    }

    /** Drops every entry below {@code index} now (a snapshot was installed at {@code index - 1}). */
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
