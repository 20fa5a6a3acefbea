package io.chubby.store.internal;

import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import io.chubby.spi.LogStores;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@link LogStores} service: every Paxos group's log in the environment of this bundle's
 * {@link BdbStore} (group 0 = its {@link LogStore}). A component of its own, on the store
 * component's {@code LogStore} service, so that SCR creates the store before anything that uses
 * this (see {@link BdbStore}).
 */
@Component(service = LogStores.class)
public final class LogStoresComponent implements LogStores {
    private final LogStores groups;

    @Activate
    public LogStoresComponent(@Reference(name = "store", target = BdbStore.COMPONENT_FILTER) LogStore store) {
        this.groups = ((BdbStore) store).logStores();
    }

    @Override
    public LogStore group(int group) {
        return groups.group(group);
    }

    @Override
    public void writeAll(Map<Integer, LogBatch> batches) {
        groups.writeAll(batches);
    }
}
