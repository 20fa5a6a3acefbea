package io.chubby.paxos.internal;

import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import io.chubby.spi.LogStores;
import java.util.Map;

/**
 * {@link LogStores} of group 0 only, over one {@link LogStore}: what a replica built from a single
 * log store (the plain-Java {@link PaxosReplica} constructors) hosts. {@link #writeAll} is that
 * store's {@code write}; any other group is refused.
 */
final class SingleLogStores implements LogStores {
    private final LogStore store;

    SingleLogStores(LogStore store) {
        this.store = store;
    }

    @Override
    public LogStore group(int group) {
        check(group);
        return store;
    }

    @Override
    public void writeAll(Map<Integer, LogBatch> batches) {
        for (Map.Entry<Integer, LogBatch> e : batches.entrySet()) {
            check(e.getKey());
            store.write(e.getValue());
        }
    }

    private static void check(int group) {
        if (group != 0) {
            throw new IllegalArgumentException("this replica has one log store: group " + group
                    + " needs LogStores");
        }
    }
}
