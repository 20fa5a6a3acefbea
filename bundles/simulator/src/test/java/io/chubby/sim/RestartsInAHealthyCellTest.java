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
 * whole run, with every invariant of the fault runs checked. Per seed: exactly one mastership
 * that served (held a valid lease), and no replica becomes master at all after it. (All replicas
 * boot at the same instant with the same restart lease, so with a jitter of a few ms two of them
 * sometimes pass pre-vote together and the lower ballot is master for a few ms before the other's
 * Prepare deposes it, never holding a lease; the count of all masterships is printed too.)
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
            System.out.println(r + " " + sim.masterships());
            assertEquals(List.of(), changes(sim), "changes of master in seed " + only);
            return;
        }
        long t0 = System.nanoTime();
        TreeMap<Integer, Integer> served = new TreeMap<>();
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
            Simulation sim = Simulation.restartsInAHealthyCell(seed, n, false);
            Simulation.Result r = sim.run();
            masterships.merge(r.masters(), 1, Integer::sum);
            served.merge((int) sim.masterships().stream().filter(Simulation.Mastership::served).count(), 1,
                    Integer::sum);
            List<String> c = changes(sim);
            if (!c.isEmpty() && changed.size() < 20) {
                changed.add("seed=" + seed + " replicas=" + n + " " + c);
            }
            crashes += r.crashes();
            snapshots += r.snapshots();
            chosen += r.chosen();
            runs++;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("healthy-cell restarts: seeds=%d crashes=%d snapshots=%d chosen=%d"
                + " served-masterships-per-seed=%s all-masterships-per-seed=%s in %d ms%n", runs, crashes, snapshots,
                chosen, served, masterships, ms);
        assertTrue(crashes > runs && snapshots > runs / 2, "followers crashed and installed snapshots");
        assertEquals(List.of(), changed, "seeds in which the master changed (replay: -Dsim.healthy.seed=N"
                + " -Dsim.replicas=R -Dsim.trace=true)");
    }

    /**
     * What breaks "one master for the whole run": not exactly one mastership that served, or any
     * replica becoming master (at all, even without serving) after it.
     */
    private static List<String> changes(Simulation sim) {
        List<String> out = new ArrayList<>();
        List<Simulation.Mastership> all = sim.masterships();
        List<Simulation.Mastership> served = all.stream().filter(Simulation.Mastership::served).toList();
        if (served.size() != 1) {
            out.add("served masterships " + served);
        } else if (all.indexOf(served.get(0)) != all.size() - 1) {
            out.add("became master after the master " + served.get(0) + ": " + all.subList(all.indexOf(served.get(0)) + 1, all.size()));
        }
        return out;
    }
}
