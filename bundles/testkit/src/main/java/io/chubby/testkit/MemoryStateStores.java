package io.chubby.testkit;

import io.chubby.spi.StateStores;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link StateStores} in memory: one {@link MemoryStateStore} per group, created empty on first
 * use. Survives a replica "restart" (hand the same object to the new replica).
 *
 * <p>Threads: any thread; each group's store guards itself.
 */
public final class MemoryStateStores implements StateStores {
    private final Map<Integer, MemoryStateStore> groups = new ConcurrentHashMap<>();

    @Override
    public MemoryStateStore group(int group) {
        if (group < 0 || group >= io.chubby.api.PartitionHash.SLOTS) {
            throw new IllegalArgumentException("group " + group + " out of range");
        }
        return groups.computeIfAbsent(group, g -> new MemoryStateStore());
    }
}
