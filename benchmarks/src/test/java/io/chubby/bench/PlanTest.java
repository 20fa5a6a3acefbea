package io.chubby.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Options that change one size of a plan keep the others (quick stays quick). */
class PlanTest {
    @Test
    void changingTheWatchersOrTheCurveKeepsTheQuickMirrorSizes() {
        Bench.Plan p = Bench.Plan.QUICK.withFanOut(new int[] {1000, 10_000}).withCurveMs(30_000).withHeld(new int[] {500}, 5_000);
        assertEquals(1_000, p.mirrorWrites());
        assertEquals(10_000, p.mirrorCutMs());
        assertEquals(300, p.seq());
        assertArrayEquals(new int[] {1000, 10_000}, p.fanOut());
        assertEquals(30_000, p.curveMs());
        assertEquals(200, p.zkHeld());
        Bench.Plan f = Bench.Plan.FULL.withCurveMs(60_000);
        assertEquals(10_000, f.mirrorWrites());
        assertEquals(30_000, f.mirrorCutMs());
    }
}
