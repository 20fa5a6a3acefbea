package io.chubby.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MutableClockTest {
    @Test
    void standsStillUntilAdvanced() {
        MutableClock clock = new MutableClock();
        assertEquals(MutableClock.DEFAULT_START_MILLIS, clock.millis());
        assertEquals(Instant.parse("2023-11-14T22:13:20Z"), clock.instant());
        clock.advance(1_500);
        clock.advance(Duration.ofSeconds(2));
        assertEquals(MutableClock.DEFAULT_START_MILLIS + 3_500, clock.millis());
        clock.advance(-500);
        assertEquals(MutableClock.DEFAULT_START_MILLIS + 3_000, clock.millis());
        assertEquals(ZoneOffset.UTC, clock.getZone());
        assertEquals(5, new MutableClock(5).millis());
    }

    @Test
    void followingReadsTheBaseClockPlusWhatWasAdded() {
        MutableClock base = new MutableClock(1_000);
        MutableClock clock = MutableClock.following(base);
        assertEquals(1_000, clock.millis());
        base.advance(10);
        assertEquals(1_010, clock.millis(), "time passes with the base");
        clock.advance(60_000);
        assertEquals(61_010, clock.millis());
        assertEquals(1_010, base.millis(), "the base is not moved");
        assertEquals(Clock.systemUTC().getZone(), MutableClock.following(Clock.systemUTC()).getZone());
    }
}
