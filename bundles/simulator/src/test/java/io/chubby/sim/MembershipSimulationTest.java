package io.chubby.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The deterministic simulator reconfiguring cells under its faults (issue 19; CORE-API.md
 * "Changing the members"): loss, duplication, reordering, long delays, partitions, crash-restarts,
 * torn writes, pauses past the lease and clock drift, while every group's master adds replicas
 * (learners first) and removes members, itself included. Every safety invariant is checked after
 * every event: one value per slot under the configuration governing it, replicas apply only chosen
 * values, equal states at equal indexes, at most one valid lease holder across configurations,
 * epochs that never go back; and after healing every member catches up. A failure names its seed;
 * replay with {@code -Dtest=MembershipSimulationTest -Dmsim.seed=N -Dmsim.replicas=R -Dmsim.groups=G}
 * (add {@code -Dsim.trace=true} for a trace).
 */
class MembershipSimulationTest {
    private static final int SEEDS_5 = Integer.getInteger("msim.seeds5", 1200);
    private static final int SEEDS_3 = Integer.getInteger("msim.seeds3", 800);

    @Test
    void reconfiguringCellsKeepEveryInvariantUnderFaults() {
        Long only = Long.getLong("msim.seed");
        if (only != null) {
            int groups = Integer.getInteger("msim.groups", Simulation.groupsFor(only));
            Simulation sim = Simulation.withMembershipChanges(only, Integer.getInteger("msim.replicas", 5),
                    Boolean.getBoolean("sim.trace"), groups);
            System.out.println(sim.run() + " " + sim.membership());
            return;
        }
        long start = System.currentTimeMillis();
        int proposed = 0;
        int chosen = 0;
        int learners = 0;
        int removedMasters = 0;
        int seedsWithChanges = 0;
        int crashes = 0;
        for (int i = 0; i < SEEDS_5 + SEEDS_3; i++) {
            boolean five = i < SEEDS_5;
            long seed = five ? 500_001 + i : 600_001 + i - SEEDS_5;
            Simulation sim = Simulation.withMembershipChanges(seed, five ? 5 : 3, false, Simulation.groupsFor(seed));
            Simulation.Result r = sim.run();
            Simulation.Membership m = sim.membership();
            proposed += m.proposed();
            chosen += m.chosen();
            learners += m.learnersAdded();
            removedMasters += m.removedMasters();
            seedsWithChanges += m.chosen() > 0 ? 1 : 0;
            crashes += r.crashes();
        }
        int seeds = SEEDS_5 + SEEDS_3;
        System.out.printf("membership seeds=%d with-changes=%d learners=%d proposed=%d chosen=%d removed-masters=%d"
                        + " crashes=%d in %d ms%n", seeds, seedsWithChanges, learners, proposed, chosen, removedMasters,
                crashes, System.currentTimeMillis() - start);
        // every member of a new configuration must be caught up, which faults often prevent
        assertTrue(seedsWithChanges > seeds / 2, "most seeds changed their members: " + seedsWithChanges);
        assertTrue(chosen > seeds && removedMasters > seeds / 10 && crashes > seeds / 2,
                "changes, masters removing themselves and crashes were exercised");
    }
}
