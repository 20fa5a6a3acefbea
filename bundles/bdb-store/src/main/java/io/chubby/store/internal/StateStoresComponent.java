package io.chubby.store.internal;

import io.chubby.spi.StateStore;
import io.chubby.spi.StateStores;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@link StateStores} service: every Paxos group's state in the environment of this bundle's
 * {@link BdbStore} (group 0 = its {@link StateStore}). A component of its own, on the store
 * component's {@code StateStore} service, so that SCR creates the store before anything that uses
 * this (see {@link BdbStore}).
 */
@Component(service = StateStores.class)
public final class StateStoresComponent implements StateStores {
    private final StateStores groups;

    @Activate
    public StateStoresComponent(@Reference(name = "store", target = BdbStore.COMPONENT_FILTER) StateStore store) {
        this.groups = ((BdbStore) store).stateStores();
    }

    @Override
    public StateStore group(int group) {
        return groups.group(group);
    }
}
