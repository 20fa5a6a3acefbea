package io.chubby.sim;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole-cell simulation's checks catch every deliberately planted bug ({@link PlantedBug})
 * within a bounded number of seeds: proof that they see what they claim to. Prints, per bug, the
 * first seed that caught it and what broke.
 */
class PlantedBugsTest {
    private static final int MAX_SEEDS = Integer.getInteger("cellsim.bugSeeds", 1000);

    @Test
    void everyPlantedBugIsCaught() {
        Map<PlantedBug, String> caught = new EnumMap<>(PlantedBug.class);
        StringBuilder missed = new StringBuilder();
        for (PlantedBug bug : PlantedBug.values()) {
            if (bug == PlantedBug.NONE) {
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
}
