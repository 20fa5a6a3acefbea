package io.chubby.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FailoverTest {
    @Test
    void writesAfterTheFirstOneFallInZeroToFiveFiveToTenAndTenToTwentySeconds() {
        assertEquals(0, Failover.window(0));
        assertEquals(0, Failover.window(4_999));
        assertEquals(1, Failover.window(5_000));
        assertEquals(1, Failover.window(9_999));
        assertEquals(2, Failover.window(10_000));
        assertEquals(2, Failover.window(19_999));
    }
}
