package io.chubby.store.internal;

import com.sleepycat.je.DatabaseConfig;
import com.sleepycat.je.DatabaseException;
import com.sleepycat.je.Environment;
import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import io.chubby.spi.LogStores;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every group's Paxos log in one JE environment. Group 0 is the store's {@link LogStore}; other
 * groups are opened on first use under their {@link GroupNames} prefix. {@link #writeAll} is one JE
 * transaction for every group's batch, committed with one fsync when any batch asks for it.
 *
 * <p>Thread-safety: {@link #writeAll} takes the write lock of every group it writes, in increasing
 * group order (so two concurrent callers cannot deadlock), then runs one transaction; a group's own
 * {@link LogStore#write} and compaction take that group's lock only.
 */
final class BdbLogStores implements LogStores {
    private final Environment env;
    private final DatabaseConfig dbConfig;
    private final int truncateChunk;
    private final LogWriteStats stats;
    private final Map<Integer, BdbLogStore> groups = new ConcurrentHashMap<>();

    BdbLogStores(Environment env, DatabaseConfig dbConfig, int truncateChunk, BdbLogStore group0,
                 LogWriteStats stats) {
        this.env = env;
        this.stats = stats;
        this.dbConfig = dbConfig;
        this.truncateChunk = truncateChunk;
        groups.put(0, group0);
    }

    @Override
    public LogStore group(int group) {
        return open(group);
    }

    private BdbLogStore open(int group) {
        GroupNames.check(group);
        return groups.computeIfAbsent(group, g -> {
            try {
                return new BdbLogStore(env, dbConfig, truncateChunk, g, stats);
            } catch (DatabaseException e) {
                throw Txns.failure("open log of group " + g, e);
            }
        });
    }

    @Override
    public void writeAll(Map<Integer, LogBatch> batches) {
        TreeMap<Integer, LogBatch> work = new TreeMap<>();
        boolean sync = false;
        for (Map.Entry<Integer, LogBatch> e : batches.entrySet()) {
            LogBatch batch = e.getValue();
            BdbLogStore.validate(batch);
            GroupNames.check(e.getKey());
            sync |= batch.sync();
            if (!batch.isEmpty()) {
                work.put(e.getKey(), batch);
            }
        }
        if (work.isEmpty()) {
            if (sync) {
                open(0).flush();
            }
            return;
        }
        boolean syncAll = sync;
        List<BdbLogStore> locked = new ArrayList<>();
        try {
            for (Integer g : work.keySet()) {
                BdbLogStore store = open(g);
                store.writeLock().lock();
                locked.add(store);
            }
            Map<BdbLogStore, BdbLogStore.Bounds> after = Txns.run(env, sync ? Txns.SYNC : Txns.NO_SYNC,
                    "log write of groups " + work.keySet(), txn -> {
                        Map<BdbLogStore, BdbLogStore.Bounds> bounds = new IdentityHashMap<>();
                        for (Map.Entry<Integer, LogBatch> e : work.entrySet()) {
                            BdbLogStore store = groups.get(e.getKey());
                            bounds.put(store, store.applyIn(txn, e.getValue()));
                        }
                        return bounds;
                    }, nanos -> stats.committed(syncAll, nanos));
            after.forEach(BdbLogStore::committed);
            work.forEach((g, batch) -> stats.batch(g, batch.entries().size()));
        } finally {
            for (int i = locked.size() - 1; i >= 0; i--) {
                locked.get(i).writeLock().unlock();
            }
        }
    }

    /** Closes every group's databases except group 0's, which the store closes itself. */
    void closeOtherGroups() {
        groups.forEach((g, store) -> {
            if (g != 0) {
                store.close();
            }
        });
        groups.keySet().removeIf(g -> g != 0);
    }
}
