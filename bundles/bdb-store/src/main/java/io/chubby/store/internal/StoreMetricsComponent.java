package io.chubby.store.internal;

import io.chubby.spi.LogStore;
import io.chubby.spi.MetricSource;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The store's series for the metrics bundle ({@link MetricSource}, spi 1.11): fsync latency and
 * batch sizes of the Paxos log ({@link LogWriteStats}) and the JE figures ({@link JeNumbers}), as
 * plain numbers (no JE type leaves this bundle). A view of {@link BdbStore}, like
 * {@link LogStoresComponent}.
 */
@Component(service = MetricSource.class)
public final class StoreMetricsComponent implements MetricSource {
    private final BdbStore store;

    @Activate
    public StoreMetricsComponent(@Reference(name = "store", target = BdbStore.COMPONENT_FILTER) LogStore store) {
        this.store = (BdbStore) store;
    }

    @Override
    public List<Metric> metrics() {
        return store.metrics();
    }
}
