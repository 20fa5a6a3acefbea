package io.chubby.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Runs the deterministic simulator over many seeds (5- and 3-replica cells, 1-8 Paxos groups per
 * replica as {@link Simulation#groupsFor} draws them, or every seed with {@code -Dsim.groups=G}). A
 * failure names its seed and groups; replay one seed with {@code mvn -o -pl bundles/simulator test
 * -Dtest=SimulationTest -Dsim.seed=N -Dsim.replicas=R -Dsim.groups=G} (add {@code -Dsim.trace=true}
 * for an event trace).
 */
class SimulationTest {

    private static final int SEEDS_5 = Integer.getInteger("sim.seeds5", 1200);
    private static final int SEEDS_3 = Integer.getInteger("sim.seeds3", 800);
    /** Every seed with this many groups; unset: {@link Simulation#groupsFor} per seed. */
    private static final Integer GROUPS = Integer.getInteger("sim.groups");

    @Test
    void manySeedsKeepEveryInvariantAndMakeProgressAfterHealing() {
        Long only = Long.getLong("sim.seed");
        boolean trace = Boolean.getBoolean("sim.trace");
        if (only != null) {
            Simulation sim = new Simulation(only, Integer.getInteger("sim.replicas", 5), trace,
                    GROUPS != null ? GROUPS : Simulation.groupsFor(only));
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
        int handoffSeeds = 0;
        long handoffs = 0;
        long handoffsCompleted = 0;
        long handoffsGivenUp = 0;
        long handoffsInterrupted = 0;
        long fastTakeovers = 0;
        long slowTakeovers = 0;
        long slowestTakeover = 0;
        StringBuilder slowSeeds = new StringBuilder();
        int runs = 0;
        int[] seedsPerGroups = new int[9];
        for (int i = 0; i < SEEDS_5 + SEEDS_3; i++) {
            boolean five = i < SEEDS_5;
            long seed = five ? 1 + i : 100_001 + i - SEEDS_5;
            int groups = GROUPS != null ? GROUPS : Simulation.groupsFor(seed);
            seedsPerGroups[groups]++;
            Simulation sim = new Simulation(seed, five ? 5 : 3, false, groups);
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
            handoffSeeds += f.handoffs() > 0 ? 1 : 0;
            handoffs += f.handoffs();
            handoffsCompleted += f.handoffsCompleted();
            handoffsGivenUp += f.handoffsGivenUp();
            handoffsInterrupted += f.handoffsInterrupted();
            fastTakeovers += f.fastTakeovers();
            slowTakeovers += f.slowTakeovers();
            slowestTakeover = Math.max(slowestTakeover, f.slowestTakeoverMs());
            if (f.slowTakeovers() > 0 && slowSeeds.length() < 60) {
                slowSeeds.append(slowSeeds.isEmpty() ? "" : ",").append(seed).append('/').append(groups);
            }
            events += r.events();
            chosen += r.chosen();
            masters += r.masters();
            crashes += r.crashes();
            snapshots += r.snapshots();
            worstRecovery = Math.max(worstRecovery, r.endTime() - Simulation.FAULT_PHASE_MS);
            runs++;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        StringBuilder mix = new StringBuilder();
        for (int g = 1; g <= 8; g++) {
            if (seedsPerGroups[g] > 0) {
                mix.append(mix.isEmpty() ? "" : ",").append(g).append('=').append(seedsPerGroups[g]);
            }
        }
        System.out.printf("simulated seeds=%d groups={%s} events=%d chosen=%d masterships=%d crashes=%d snapshots=%d"
                + " worst-recovery-after-heal=%d ms (virtual) in %d ms (%.0f seeds/s)%n",
                runs, mix, events, chosen, masters, crashes, snapshots, worstRecovery, ms, runs * 1000.0 / Math.max(1, ms));
        System.out.printf("extended faults: pauses=%d (of the lease holder %d, resumed under a newer master %d)"
                + " long-delayed-messages=%d (delivered after a newer master was elected %d)"
                + " clock-steps-within-bound=%d torn-crashes=%d (kept some but not all %d)%n",
                pauses, pausedHolders, deposed, longDelays, stale, clockJumps, torn, tornPartial);
        System.out.printf("handoffs: seeds=%d asked=%d completed=%d given-up=%d interrupted=%d (crash or lost"
                + " mastership); after healing: target held the lease within L/2 %d, slower %d (worst %d ms; seeds/groups"
                + " %s)%n", handoffSeeds, handoffs, handoffsCompleted, handoffsGivenUp, handoffsInterrupted,
                fastTakeovers, slowTakeovers, slowestTakeover, slowSeeds);
        assertTrue(crashes > runs / 2 && snapshots > 0 && masters > runs, "the faults were exercised");
        assertTrue(pauses > runs / 2 && longDelays > runs && clockJumps > runs / 10 && torn > runs / 20,
                "the extended faults were exercised");
        // Only one-group runs tear within a write; with more, a crash keeps each combined write whole or not at all.
        assertTrue(pausedHolders > 0 && deposed > 0 && stale > 0 && (tornPartial > 0 || seedsPerGroups[1] == 0),
                "the extended faults hit what they aim at");
        assertTrue(runs == SEEDS_5 + SEEDS_3 && chosen > runs, "every run chose values");
        if (runs >= 100) {
            assertTrue(handoffSeeds > runs / 4 && handoffSeeds < runs * 3 / 4 && handoffsCompleted > runs / 10
                    && handoffsGivenUp > 0 && handoffsInterrupted > 0 && fastTakeovers > runs / 10
                    && fastTakeovers > 3 * slowTakeovers,
                    "handoffs in about half the seeds, completed, given up, interrupted; after healing mostly fast");
        }
        if (GROUPS == null && runs >= 100) {
            assertTrue(seedsPerGroups[1] > runs / 5 && seedsPerGroups[2] > 0 && seedsPerGroups[8] > 0,
                    "the seeds mix one group and up to eight: " + mix);
        }
    }
}
