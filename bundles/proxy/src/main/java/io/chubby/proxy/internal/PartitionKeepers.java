package io.chubby.proxy.internal;

import io.chubby.proxy.internal.core.SessionTable;
import io.chubby.spi.ClientConnection;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * The client sessions a proxy renews in a partitioned cell: per partition used, a
 * {@link SessionTable} of its clients' partition sessions there (session ids of different groups
 * may be equal) and a {@link GroupKeeper} renewing them with one group KeepAlive held at that
 * partition's master. Created on the first session of a partition. Thread-safe.
 */
final class PartitionKeepers {
    /** One partition's sessions and their group KeepAlive. */
    record Keeping(SessionTable<ClientConnection> table, GroupKeeper keeper) {
    }

    private final IntFunction<Keeping> create;
    private final Map<Integer, Keeping> byPartition = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param create a partition's table and keeper (its keeper's calls name the partition) */
    PartitionKeepers(IntFunction<Keeping> create) {
        this.create = create;
    }

    /** Partition {@code p}'s sessions (created empty on first use). */
    Keeping of(int p) {
        Keeping k = byPartition.computeIfAbsent(p, create::apply);
        if (closed) {
            k.keeper().close(); // created while close() ran
        }
        return k;
    }

    /** Every partition's table and keeper so far (a live view: no copy per timer tick or disconnect). */
    Collection<Keeping> all() {
        return byPartition.values();
    }

    /** Client sessions renewed here, over every partition. */
    int clientSessions() {
        return all().stream().mapToInt(k -> k.table().clientSessions()).sum();
    }

    /** Client KeepAlives held, over every partition. */
    int held() {
        return all().stream().mapToInt(k -> k.table().held()).sum();
    }

    /** Group calls sent, over every partition. */
    long groupCalls() {
        return all().stream().mapToLong(k -> k.keeper().calls()).sum();
    }

    /** Partitions with a group KeepAlive of their own. */
    int partitions() {
        return byPartition.size();
    }

    void close() {
        closed = true;
        all().forEach(k -> k.keeper().close());
    }
}
