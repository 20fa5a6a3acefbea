package io.chubby.paxos.internal;

import io.chubby.spi.Consensus;
import io.chubby.spi.MetricSource;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The consensus series for the metrics bundle ({@link MetricSource}, spi 1.11): each open group's
 * {@link GroupCounters}. A view of this bundle's {@link PaxosReplica}, like
 * {@link ConsensusGroupsComponent}.
 */
@Component(service = MetricSource.class)
public final class PaxosMetricsComponent implements MetricSource {
    private final GroupHost host;

    @Activate
    public PaxosMetricsComponent(@Reference(name = "replica", target = PaxosReplica.COMPONENT_FILTER) Consensus replica) {
        this.host = ((PaxosReplica) replica).host();
    }

    @Override
    public List<Metric> metrics() {
        return GroupCounters.metrics(host.counters());
    }
}
