package io.chubby.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Issue 24: in a healthy cell (no loss, no partitions, no pauses) under steady proposal load,
 * followers crash and restart, hear nothing from their peers until those reconnect (0-2 L), and
 * install snapshots that keep them busy for up to L: the first master must stay master for the
 * whole run (exactly one mastership per seed), with every invariant of the fault runs checked.
 * Seeds: {@code -Dsim.healthy.seeds5} (default 600) five-replica and {@code -Dsim.healthy.seeds3}
 * (default 400) three-replica runs; replay one with {@code -Dsim.healthy.seed=N
 * -Dsim.replicas=R -Dsim.trace=true}.
 */
class RestartsInAHealthyCellTest {

    private static final int SEEDS_5 = Integer.getInteger("sim.healthy.seeds5", 600);
    private static final int SEEDS_3 = Integer.getInteger("sim.healthy.seeds3", 400);

    @Test
    void restartsAndSnapshotInstallsUnderLoadNeverChangeTheMaster() {
        Long only = Long.getLong("sim.healthy.seed");
        if (only != null) {
            Simulation sim = Simulation.restartsInAHealthyCell(only, Integer.getInteger("sim.replicas", 5),
                    Boolean.getBoolean("sim.trace"));
            Simulation.Result r = sim.run();
            System.out.println(r);
            assertEquals(1, r.masters(), "masterships in seed " + only);
            return;
        }
        long t0 = System.nanoTime();
        TreeMap<Integer, Integer> masterships = new TreeMap<>();
        List<String> changed = new ArrayList<>();
        long crashes = 0;
        long snapshots = 0;
        long chosen = 0;
        int runs = 0;
        for (int i = 0; i < SEEDS_5 + SEEDS_3; i++) {
            boolean five = i < SEEDS_5;
            long seed = five ? 1 + i : 100_001 + i - SEEDS_5;
            int n = five ? 5 : 3;
            Simulation.Result r = Simulation.restartsInAHealthyCell(seed, n, false).run();
            masterships.merge(r.masters(), 1, Integer::sum);
            if (r.masters() != 1 && changed.size() < 20) {
                changed.add("seed=" + seed + " replicas=" + n + " masterships=" + r.masters());
            }
            crashes += r.crashes();
            snapshots += r.snapshots();
            chosen += r.chosen();
            runs++;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("healthy-cell restarts: seeds=%d crashes=%d snapshots=%d chosen=%d"
                + " masterships-per-seed=%s in %d ms%n", runs, crashes, snapshots, chosen, masterships, ms);
        assertTrue(crashes > runs && snapshots > runs / 2, "followers crashed and installed snapshots");
        assertEquals(List.of(), changed, "seeds in which the master changed (replay: -Dsim.healthy.seed=N"
                + " -Dsim.replicas=R -Dsim.trace=true)");
    }
}
