package io.chubby.sim;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Entry;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The pieces of the multi-group Paxos simulation: group tags, the cross-talk check of the oracle, determinism. */
class SimGroupsTest {

    @Test
    void aTagNamesItsGroupAndNothingElseLooksTagged() {
        assertEquals(7, GroupTags.groupOf(GroupTags.tag(7, "k3=v9")));
        assertEquals(0, GroupTags.groupOf(GroupTags.tag(0, "k0=v1")));
        assertEquals(-1, GroupTags.groupOf("k3=v9".getBytes(StandardCharsets.UTF_8)));
        assertEquals(-1, GroupTags.groupOf("g:k3=v9".getBytes(StandardCharsets.UTF_8)));
        assertEquals(-1, GroupTags.groupOf(new byte[0]));
    }

    @Test
    void anOracleFailsWhenItsGroupChoosesAValueOfAnotherGroup() {
        Ballot b = new Ballot(1, 1);
        Oracle group0 = new Oracle(io.chubby.paxos.core.Configuration.of(java.util.List.of(1, 2, 3)), 0);
        Entry foreign = new Entry(1, b, 1, GroupTags.tag(1, "k1=v1"));
        group0.accepted(1, foreign); // accepted by one replica: not chosen yet
        SimulationFailure f = assertThrows(SimulationFailure.class, () -> group0.accepted(2, foreign));
        assertTrue(f.getMessage().contains("cross-talk: slot 1 of group 0 chose a value proposed in group 1"),
                f.getMessage());

        Oracle own = new Oracle(io.chubby.paxos.core.Configuration.of(java.util.List.of(1, 2, 3)), 0);
        Entry mine = new Entry(1, b, 1, GroupTags.tag(0, "k1=v1"));
        Entry noop = new Entry(2, b, 1, new byte[0]);
        assertDoesNotThrow(() -> {
            for (int r = 1; r <= 2; r++) {
                own.accepted(r, mine);
                own.accepted(r, noop);
            }
        });
        assertEquals(2, own.chosenCount());
    }

    @Test
    void aMultiGroupRunIsAPureFunctionOfItsSeedAndGroups() {
        Simulation.Result first = new Simulation(42, 5, false, 4).run();
        Simulation.Result again = new Simulation(42, 5, false, 4).run();
        assertEquals(first, again);
        assertEquals(4, first.groups());
        assertTrue(first.chosen() > 4, "every group chose values: " + first);
    }

    @Test
    void seedsDrawOneToEightGroups() {
        int[] seen = new int[9];
        for (long seed = 1; seed <= 300; seed++) {
            seen[Simulation.groupsFor(seed)]++;
        }
        for (int g = 1; g <= 8; g++) {
            assertTrue(seen[g] > 0, "no seed of " + g + " groups");
        }
        assertTrue(seen[1] > 60 && seen[1] < 140, "a third of the seeds run one group: " + seen[1]);
    }
}
