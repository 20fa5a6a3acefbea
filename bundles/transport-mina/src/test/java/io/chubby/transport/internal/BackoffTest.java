package io.chubby.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesToTheMaximumWithJitterAndResets() {
        Backoff low = new Backoff(50, 2000, () -> 0.0);
        Backoff high = new Backoff(50, 2000, () -> 1.0);
        long[] steps = {50, 100, 200, 400, 800, 1600, 2000, 2000};
        for (long step : steps) {
            assertEquals(step / 2, low.next(), "lowest jitter is half the step");
            assertEquals(step, high.next(), "highest jitter is the full step");
        }
        high.reset();
        assertEquals(50, high.next());
    }
}
