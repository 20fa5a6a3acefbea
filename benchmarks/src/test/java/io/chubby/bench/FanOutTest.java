package io.chubby.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class FanOutTest {
    @Test
    void sizesUpToTheCapRunAsAsked() {
        assertArrayEquals(new int[] {200, 1000, 10000}, FanOut.sessionsToRun(new int[] {200, 1000, 10000}, Integer.MAX_VALUE));
        assertArrayEquals(new int[] {200, 999}, FanOut.sessionsToRun(new int[] {200, 999}, 1000));
    }

    @Test
    void aboveTheCapTheFirstRunsAtTheCapAndLaterOnesAreNotMeasured() {
        // ZooKeeper with --watchers 1000,10000: 1,000 runs, 10,000 is not measured (the 1,000 row stands for it)
        assertArrayEquals(new int[] {1000, 0}, FanOut.sessionsToRun(new int[] {1000, 10000}, 1000));
        // --watchers 10000 alone: runs at the cap
        assertArrayEquals(new int[] {1000}, FanOut.sessionsToRun(new int[] {10000}, 1000));
        assertArrayEquals(new int[] {200, 1000, 0, 500}, FanOut.sessionsToRun(new int[] {200, 5000, 10000, 500}, 1000));
    }
}
