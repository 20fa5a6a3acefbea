package io.chubby.sim;

import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusGroups;
import io.chubby.spi.Member;
import io.chubby.spi.StateStore;
import io.chubby.spi.StateStores;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The groups a simulated replica hosts, as session-mgr's {@code CellHost} asks for them: group 0
 * only (its {@link SimConsensus} and {@link SimStateStore}), since the whole-cell simulation does
 * not run cells of more than one partition yet (docs/PARTITIONING.md step 10). Opening another
 * group is refused loudly rather than faked, so a seed that records N > 1 fails instead of
 * running a cell that is not the product's.
 *
 * <p>Every other member is announced as speaking every peer minor: the simulated replicas all run
 * this build, so the host allows what needs the whole cell upgraded (lease ceilings), as the
 * lone {@code CellServer} the simulation ran before did.
 */
final class SimCellGroups implements ConsensusGroups, StateStores {
    private final SimConsensus groupZero;
    private final SimStateStore groupZeroStore;
    private final Map<Integer, Integer> minors = new HashMap<>();

    SimCellGroups(SimConsensus groupZero, SimStateStore groupZeroStore, List<Member> members, int self) {
        this.groupZero = groupZero;
        this.groupZeroStore = groupZeroStore;
        for (Member m : members) {
            if (m.id() != self) {
                minors.put(m.id(), Integer.MAX_VALUE);
            }
        }
    }

    @Override
    public Consensus open(int group) {
        if (group != 0) {
            throw new UnsupportedOperationException("the whole-cell simulation runs one group per replica");
        }
        return groupZero;
    }

    @Override
    public void close(int group) {
        // group 0 stays open as long as the replica runs
    }

    @Override
    public List<Integer> opened() {
        return List.of(0);
    }

    @Override
    public Map<Integer, Integer> peerMinors() {
        return Map.copyOf(minors);
    }

    @Override
    public StateStore group(int group) {
        if (group != 0) {
            throw new UnsupportedOperationException("the whole-cell simulation runs one group per replica");
        }
        return groupZeroStore;
    }
}
