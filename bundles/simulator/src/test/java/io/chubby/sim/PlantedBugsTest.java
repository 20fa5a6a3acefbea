package io.chubby.sim;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole-cell simulation's checks catch every deliberately planted bug ({@link PlantedBug}),
 * and the Paxos-level simulation's every {@link PaxosPlantedBug}, within a bounded number of
 * seeds: proof that they see what they claim to. Prints, per bug, the first seed that caught it
 * and what broke.
 */
class PlantedBugsTest {
    private static final int MAX_SEEDS = Integer.getInteger("cellsim.bugSeeds", 1000);
    private static final int MAX_PAXOS_SEEDS = Integer.getInteger("sim.bugSeeds", 200);
    /** {@code -Dcellsim.bugs=A,B}: only these whole-cell bugs (replaying one); all of them by default. */
    private static final java.util.Set<String> ONLY = System.getProperty("cellsim.bugs") == null ? null
            : java.util.Set.of(System.getProperty("cellsim.bugs").split(","));

    @Test
    void everyPlantedBugIsCaught() {
        Map<PlantedBug, String> caught = new EnumMap<>(PlantedBug.class);
        StringBuilder missed = new StringBuilder();
        for (PlantedBug bug : PlantedBug.values()) {
            if (bug == PlantedBug.NONE || (ONLY != null && !ONLY.contains(bug.name()))) {
                continue;
            }
            String found = null;
            for (long seed = 1; seed <= MAX_SEEDS && found == null; seed++) {
                try {
                    new CellSimulation(seed, seed % 3 == 0 ? 5 : 3, 3 + (int) (seed % 3), false, bug).run();
                } catch (AssertionError e) {
                    String m = e.getMessage();
                    found = "seed " + seed + ": " + m.substring(m.indexOf("ms: ") + 4, Math.min(m.length(),
                            m.indexOf(" (replay") > 0 ? m.indexOf(" (replay") : m.length()));
                }
            }
            if (found == null) {
                missed.append(' ').append(bug);
            } else {
                caught.put(bug, found);
            }
            System.out.println("planted " + bug + " -> " + (found == null ? "NOT CAUGHT in " + MAX_SEEDS + " seeds"
                    : found.lines().findFirst().orElse(found)));
        }
        if (!missed.isEmpty()) {
            fail("planted bugs not caught within " + MAX_SEEDS + " seeds:" + missed + "; caught: " + caught);
        }
    }

    /**
     * Each Paxos-level bug is caught in the seed mix of {@code SimulationTest} (groups per seed from
     * {@link Simulation#groupsFor}); and {@code GROUP_CROSSTALK} caught again with the replicas'
     * delivery check off, by what the misdelivered messages do (a value of another group chosen, or
     * a Paxos check), so the value-level checks see cross-talk on their own.
     */
    @Test
    void everyPaxosPlantedBugIsCaught() {
        StringBuilder missed = new StringBuilder();
        for (PaxosPlantedBug bug : PaxosPlantedBug.values()) {
            if (bug == PaxosPlantedBug.NONE) {
                continue;
            }
            boolean[] checks = bug == PaxosPlantedBug.GROUP_CROSSTALK ? new boolean[] {true, false} : new boolean[] {true};
            for (boolean deliveryCheck : checks) {
                String found = firstCatch(bug, deliveryCheck);
                String how = bug + (deliveryCheck ? "" : " (delivery check off)");
                if (found == null) {
                    missed.append(' ').append(how);
                }
                System.out.println("planted " + how + " -> "
                        + (found == null ? "NOT CAUGHT in " + MAX_PAXOS_SEEDS + " seeds" : found));
            }
        }
        if (!missed.isEmpty()) {
            fail("Paxos-level planted bugs not caught within " + MAX_PAXOS_SEEDS + " seeds:" + missed);
        }
    }

    private static String firstCatch(PaxosPlantedBug bug, boolean deliveryCheck) {
        for (long seed = 1; seed <= MAX_PAXOS_SEEDS; seed++) {
            int groups = Simulation.groupsFor(seed);
            try {
                new Simulation(seed, seed % 2 == 0 ? 5 : 3, false, groups, bug).deliveryCheck(deliveryCheck).run();
            } catch (AssertionError e) {
                String m = e.getMessage();
                int end = m.indexOf(" (replay");
                return "seed " + seed + " (" + groups + " groups): " + m.substring(m.indexOf("ms: ") + 4,
                        end > 0 ? end : m.length());
            }
        }
        return null;
    }
}
