package io.chubby.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Runs the whole-cell simulation (real session-mgr cell edge on the Paxos core, simulated clients)
 * over many seeds. A failure names its seed; replay it with
 * {@code mvn -o -pl bundles/simulator test -Dtest=CellSimulationTest -Dcellsim.seed=N -Dcellsim.replicas=R
 * -Dcellsim.clients=C} (add {@code -Dcellsim.trace=true} for an event trace).
 */
class CellSimulationTest {
    private static final int SEEDS = Integer.getInteger("cellsim.seeds", 2000);

    @Test
    void manySeedsKeepEveryCellInvariant() {
        Long only = Long.getLong("cellsim.seed");
        if (only != null) {
            System.out.println(new CellSimulation(only, Integer.getInteger("cellsim.replicas", 5),
                    Integer.getInteger("cellsim.clients", 4), Boolean.getBoolean("cellsim.trace"),
                    PlantedBug.valueOf(System.getProperty("cellsim.bug", "NONE"))).run());
            return;
        }
        long t0 = System.nanoTime();
        long first = Long.getLong("cellsim.first", 1);
        long events = 0;
        long reads = 0;
        long cached = 0;
        long writes = 0;
        long grants = 0;
        long seqChecks = 0;
        long masterships = 0;
        long crashes = 0;
        long snapshots = 0;
        long expired = 0;
        long silentClients = 0;
        long drops = 0;
        long longestWait = 0;
        long aclSeeds = 0;
        long aclDenials = 0;
        long aclGuardRefusals = 0;
        for (int i = 0; i < SEEDS; i++) {
            long seed = first + i;
            int replicas = seed % 3 == 0 ? 5 : 3;
            int clients = 3 + (int) (seed % 3);
            CellSimulation.Result r = new CellSimulation(seed, replicas, clients, false).run();
            events += r.events();
            reads += r.reads();
            cached += r.cachedReads();
            writes += r.writes();
            grants += r.lockGrants();
            seqChecks += r.sequencerChecks();
            masterships += r.masterships();
            crashes += r.crashes();
            snapshots += r.snapshots();
            expired += r.sessionsExpired();
            silentClients += r.nonAcknowledging();
            drops += r.cacheDrops();
            longestWait = Math.max(longestWait, r.longestHolderWaitMillis());
            aclSeeds += r.acl() ? 1 : 0;
            aclDenials += r.aclDenials();
            aclGuardRefusals += r.aclGuardRefusals();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("whole-cell seeds=%d (from %d) events=%d reads=%d cached-reads=%d writes=%d lock-grants=%d"
                        + " sequencer-checks=%d masterships=%d crashes=%d snapshots=%d sessions-expired=%d"
                        + " non-acknowledging-clients=%d cache-drops=%d longest-holder-wait=%d ms (bound %d + the master's own pauses)"
                        + " acl-seeds=%d acl-denials=%d acl-guard-refusals=%d in %d ms%n",
                SEEDS, first, events, reads, cached, writes, grants, seqChecks, masterships, crashes, snapshots,
                expired, silentClients, drops, longestWait, CellSimulation.HOLDER_WAIT_BOUND_MS, aclSeeds, aclDenials,
                aclGuardRefusals, ms);
        assertTrue(reads > SEEDS && writes > SEEDS && grants > SEEDS && cached > 0 && seqChecks > 0,
                "the workload ran");
        assertTrue(crashes > SEEDS / 2 && masterships > SEEDS, "the faults were exercised");
        assertTrue(silentClients > SEEDS / 5 && drops > 0, "clients that never acknowledge ran and lost their claims");
        assertTrue(aclSeeds > SEEDS / 4 && aclDenials > 0 && aclGuardRefusals > 0,
                "access control ran: calls were denied and admissions whose ACL moved on were refused at apply");
    }
}
