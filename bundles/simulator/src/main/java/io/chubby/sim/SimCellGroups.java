package io.chubby.sim;

import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusGroups;
import io.chubby.spi.Member;
import io.chubby.spi.StateStore;
import io.chubby.spi.StateStores;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The groups of a simulated replica as session-mgr's {@code CellHost} asks for them: each group's
 * {@link SimConsensus} (made anew for the incarnation when the host opens the group) and
 * {@link SimStateStore} (which survives crashes). A group beyond the cell's partitions is refused
 * loudly rather than faked.
 *
 * <p>Every other member is announced as speaking every peer minor: the simulated replicas all run
 * this build, so the host allows what needs the whole cell upgraded (lease ceilings, recording the
 * partitions), as the lone {@code CellServer} the simulation ran before groups did.
 */
final class SimCellGroups implements ConsensusGroups, StateStores {
    private final SimCellReplica replica;
    private final Map<Integer, Integer> minors = new HashMap<>();

    SimCellGroups(SimCellReplica replica, List<Member> members, int self) {
        this.replica = replica;
        for (Member m : members) {
            if (m.id() != self) {
                minors.put(m.id(), Integer.MAX_VALUE);
            }
        }
    }

    private SimCellGroup existing(int group) {
        if (group < 0 || group >= replica.groupCount()) {
            throw new IllegalArgumentException("the simulated cell has " + replica.groupCount() + " groups: " + group);
        }
        return replica.group(group);
    }

    @Override
    public Consensus open(int group) {
        SimCellGroup g = existing(group);
        return g.consensus != null ? g.consensus : g.open();
    }

    @Override
    public void close(int group) {
        // groups stay open as long as the replica runs
    }

    @Override
    public List<Integer> opened() {
        List<Integer> open = new ArrayList<>();
        for (int g = 0; g < replica.groupCount(); g++) {
            if (replica.group(g).consensus != null) {
                open.add(g);
            }
        }
        return open;
    }

    @Override
    public Map<Integer, Integer> peerMinors() {
        return Map.copyOf(minors);
    }

    @Override
    public StateStore group(int group) {
        return existing(group).store;
    }
}
