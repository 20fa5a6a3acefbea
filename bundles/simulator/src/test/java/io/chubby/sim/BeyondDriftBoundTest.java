package io.chubby.sim;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Clock steps beyond the drift bound are outside the model (CONSENSUS.md: the lease argument
 * assumes bounded drift; a replica cannot tell its own clock stepping from a pause, so the core
 * cannot detect it). The simulator can still run such a run on request: it flags the run, and any
 * failure says it is outside the model. This test shows what happens: some runs do break the lease
 * (two replicas hold a valid lease at once), which is why the normal seeds never step clocks past
 * the bound and why real deployments must keep the lease clock monotonic and rate-bounded
 * (System.nanoTime, not the wall clock).
 */
class BeyondDriftBoundTest {

    @Test
    void beyondBoundStepsAreFlaggedAndCanBreakTheLease() {
        int flagged = 0;
        int failed = 0;
        int twoLeases = 0;
        for (long seed = 1; seed <= 60; seed++) {
            Simulation sim = new Simulation(seed, seed % 2 == 0 ? 5 : 3, false).beyondBoundClockJumps(true);
            try {
                sim.run();
            } catch (AssertionError e) {
                failed++;
                assertNotNull(sim.faults().outsideModel(), "a failure with no beyond-bound step is a bug: " + e.getMessage());
                assertTrue(e.getMessage().startsWith("OUTSIDE THE MODEL (clocks of replicas "), e.getMessage());
                assertTrue(e.getMessage().contains("with beyondBoundClockJumps"), "the replay hint names the option");
                if (e.getMessage().contains("two valid leases")) {
                    twoLeases++;
                }
            }
            if (sim.faults().outsideModel() != null) {
                flagged++;
            }
        }
        System.out.printf("beyond-bound clock steps: 60 runs, %d flagged, %d failed, %d with two valid leases%n",
                flagged, failed, twoLeases);
        assertTrue(flagged == 60, "every run stepped clocks beyond the bound once: " + flagged);
        assertTrue(twoLeases > 0, "stepping a majority's clocks past the lease lets a second master in");
    }

    @Test
    void normalSeedsNeverLeaveTheModel() {
        for (long seed = 1; seed <= 50; seed++) {
            Simulation sim = new Simulation(seed, 5, false);
            sim.run();
            assertTrue(sim.faults().outsideModel() == null);
        }
    }
}
