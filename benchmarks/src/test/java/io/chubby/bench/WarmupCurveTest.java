package io.chubby.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WarmupCurveTest {
    private static final double NaN = Double.NaN;

    @Test
    void steadyIsTheMedianOfTheLastThirdsWindowP50s() {
        // 9 windows: the last third is the last 3
        assertEquals(2.0, WarmupCurve.steady(new double[] {9, 8, 7, 6, 5, 4, 3, 1, 2}), 1e-9);
        // 10 windows: still the last 3 (a third rounded down); an even count of values takes the middle two's mean
        assertEquals(1.5, WarmupCurve.steady(new double[] {9, 9, 9, 9, 9, 9, 9, 1, 2, NaN}), 1e-9);
        // fewer than 3 windows: the last one
        assertEquals(4.0, WarmupCurve.steady(new double[] {7, 4}), 1e-9);
        assertTrue(Double.isNaN(WarmupCurve.steady(new double[] {1, 2, NaN})));
    }

    @Test
    void steadyFromTheFirstWindowAfterWhichEveryWindowIsWithinTenPercent() {
        double[] p50s = {5.0, 3.0, 1.05, 1.5, 0.95, 1.1, 1.0, 0.9};
        // 1.5 at index 3 is the last window outside 10% of 1.0: steady from index 4
        assertEquals(4, WarmupCurve.firstSteadyWindow(p50s, 1.0, 0.10));
        // within tolerance from the start
        assertEquals(0, WarmupCurve.firstSteadyWindow(new double[] {1.0, 1.1, 0.9}, 1.0, 0.10));
        // a window without a completed write (NaN) is not steady
        assertEquals(2, WarmupCurve.firstSteadyWindow(new double[] {1.0, NaN, 1.0, 1.0}, 1.0, 0.10));
        // the last window itself is off: never steady
        assertEquals(-1, WarmupCurve.firstSteadyWindow(new double[] {1.0, 1.0, 1.2}, 1.0, 0.10));
        assertEquals(-1, WarmupCurve.firstSteadyWindow(new double[] {1.0}, NaN, 0.10));
    }

    @Test
    void timeToSteadyCountsFromStartReturning() {
        WarmupCurve.Curve c = new WarmupCurve.Curve("zookeeper", 12.0, 0.2, new double[] {3, 2, 1, 1, 1, 1}, 1.0, 2);
        assertEquals(0.2 + 2 * 5, c.secondsToSteady(), 1e-9);
        assertTrue(Double.isNaN(new WarmupCurve.Curve("etcd", 1, 0, new double[] {1, 2}, 2, -1).secondsToSteady()));
        String note = WarmupCurve.note(c, 0);
        assertTrue(note.contains("10 s after start() returned, 22 s after it was called (it launches the processes and took 12 s)"), note);
        assertTrue(note.endsWith("3.00 2.00 1.00 1.00 1.00 1.00"), note);
    }

    @Test
    void markdownHasOneRowPerWindowAndOneColumnPerSystem() {
        String md = WarmupCurve.markdown(List.of(
                new WarmupCurve.Curve("chubby", 10, 0.2, new double[] {4.0, 2.0, 2.0}, 2.0, 1),
                new WarmupCurve.Curve("etcd", 3, 0.1, new double[] {2.0, NaN}, 2.0, -1)));
        assertTrue(md.contains("| window from s | chubby | etcd |"), md);
        assertTrue(md.contains("| 0 | 4.000 | 2.000 |"), md);
        assertTrue(md.contains("| 5 | 2.000 | - |"), md);
        assertTrue(md.contains("| 10 | 2.000 | - |"), md);
        assertTrue(md.contains("- chubby: steady p50 2.000 ms; steady from 5 s after start() returned"), md);
        assertTrue(md.contains("- etcd: steady p50 2.000 ms; steady from - (never"), md);
        assertEquals("", WarmupCurve.markdown(List.of()));
    }
}
