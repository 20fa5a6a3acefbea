package io.chubby.paxos.internal;

import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusGroups;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@link ConsensusGroups} service: the groups of this bundle's {@link PaxosReplica} (group 0 =
 * its {@link Consensus} service). A component of its own, on the replica component's
 * {@code Consensus} service, so that SCR creates the replica before anything that uses this, and
 * deactivates this before the replica stops.
 */
@Component(service = ConsensusGroups.class)
public final class ConsensusGroupsComponent implements ConsensusGroups {
    private final ConsensusGroups groups;

    @Activate
    public ConsensusGroupsComponent(
            @Reference(name = "replica", target = PaxosReplica.COMPONENT_FILTER) Consensus replica) {
        this.groups = ((PaxosReplica) replica).groups();
    }

    @Override
    public Consensus open(int group) {
        return groups.open(group);
    }

    @Override
    public void close(int group) {
        groups.close(group);
    }

    @Override
    public List<Integer> opened() {
        return groups.opened();
    }

    @Override
    public Map<Integer, Integer> peerMinors() {
        return groups.peerMinors();
    }

    @Override
    public void sendCross(int replica, byte[] message) {
        groups.sendCross(replica, message);
    }

    @Override
    public void crossHandler(io.chubby.spi.PeerTransport.PeerHandler handler) {
        groups.crossHandler(handler);
    }
}
