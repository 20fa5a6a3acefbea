package io.chubby.store.internal;

import com.sleepycat.je.DatabaseConfig;
import com.sleepycat.je.DatabaseException;
import com.sleepycat.je.Environment;
import io.chubby.spi.StateStore;
import io.chubby.spi.StateStores;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every group's replicated state in one JE environment. Group 0 is the store's {@link StateStore};
 * other groups are opened on first use under their {@link GroupNames} prefix, so a group's
 * {@link StateStore#replaceAll} and {@link StateStore#tables} see that group's databases only.
 * Thread-safe: each group's store serializes its own writers.
 */
final class BdbStateStores implements StateStores {
    private final Environment env;
    private final DatabaseConfig dbConfig;
    private final Map<Integer, BdbStateStore> groups = new ConcurrentHashMap<>();

    BdbStateStores(Environment env, DatabaseConfig dbConfig, BdbStateStore group0) {
        this.env = env;
        this.dbConfig = dbConfig;
        groups.put(0, group0);
    }

    @Override
    public StateStore group(int group) {
        GroupNames.check(group);
        return groups.computeIfAbsent(group, g -> {
            try {
                return new BdbStateStore(env, dbConfig, GroupNames.prefix(g));
            } catch (DatabaseException e) {
                throw Txns.failure("open state of group " + g, e);
            }
        });
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
