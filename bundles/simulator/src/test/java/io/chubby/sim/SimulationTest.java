package io.chubby.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Runs the deterministic simulator over many seeds (5- and 3-replica cells). A failure names its
 * seed; replay one seed with {@code mvn -o -pl bundles/simulator test -Dtest=SimulationTest -Dsim.seed=N
 * -Dsim.replicas=R} (add {@code -Dsim.trace=true} for an event trace).
 */
class SimulationTest {

    private static final int SEEDS_5 = Integer.getInteger("sim.seeds5", 1200);
    private static final int SEEDS_3 = Integer.getInteger("sim.seeds3", 800);

    @Test
    void manySeedsKeepEveryInvariantAndMakeProgressAfterHealing() {
        Long only = Long.getLong("sim.seed");
        boolean trace = Boolean.getBoolean("sim.trace");
        if (only != null) {
            Simulation sim = new Simulation(only, Integer.getInteger("sim.replicas", 5), trace);
            Simulation.Result r = sim.run();
            System.out.println(r + " " + sim.faults());
            return;
        }
        long t0 = System.nanoTime();
        long events = 0;
        long chosen = 0;
        long masters = 0;
        long crashes = 0;
        long snapshots = 0;
        long worstRecovery = 0;
        long pauses = 0;
        long longDelays = 0;
        long clockJumps = 0;
        long torn = 0;
        long stale = 0;
        long pausedHolders = 0;
        long deposed = 0;
        long tornPartial = 0;
        int runs = 0;
        for (int i = 0; i < SEEDS_5 + SEEDS_3; i++) {
            boolean five = i < SEEDS_5;
            long seed = five ? 1 + i : 100_001 + i - SEEDS_5;
            Simulation sim = new Simulation(seed, five ? 5 : 3, false);
            Simulation.Result r = sim.run();
            Simulation.Faults f = sim.faults();
            assertTrue(f.outsideModel() == null, "seed " + seed + " left the model: " + f.outsideModel());
            pauses += f.pauses();
            longDelays += f.longDelays();
            clockJumps += f.clockJumps();
            torn += f.tornCrashes();
            stale += f.staleLateDeliveries();
            pausedHolders += f.pausedHolders();
            deposed += f.resumedDeposed();
            tornPartial += f.tornPartial();
            events += r.events();
            chosen += r.chosen();
            masters += r.masters();
            crashes += r.crashes();
            snapshots += r.snapshots();
            worstRecovery = Math.max(worstRecovery, r.endTime() - Simulation.FAULT_PHASE_MS);
            runs++;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("simulated seeds=%d events=%d chosen=%d masterships=%d crashes=%d snapshots=%d"
                + " worst-recovery-after-heal=%d ms (virtual) in %d ms%n",
                runs, events, chosen, masters, crashes, snapshots, worstRecovery, ms);
        System.out.printf("extended faults: pauses=%d (of the lease holder %d, resumed under a newer master %d)"
                + " long-delayed-messages=%d (delivered after a newer master was elected %d)"
                + " clock-steps-within-bound=%d torn-crashes=%d (kept some but not all %d)%n",
                pauses, pausedHolders, deposed, longDelays, stale, clockJumps, torn, tornPartial);
        assertTrue(crashes > runs / 2 && snapshots > 0 && masters > runs, "the faults were exercised");
        assertTrue(pauses > runs / 2 && longDelays > runs && clockJumps > runs / 10 && torn > runs / 20,
                "the extended faults were exercised");
        assertTrue(pausedHolders > 0 && deposed > 0 && stale > 0 && tornPartial > 0,
                "the extended faults hit what they aim at");
        assertTrue(runs == SEEDS_5 + SEEDS_3 && chosen > runs, "every run chose values");
    }
}
