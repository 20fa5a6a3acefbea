package io.chubby.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock the test moves: either standing still until {@link #advance advanced} ({@code new
 * MutableClock()}), or {@link #following following} another clock plus whatever the test added
 * (time passes as usual, and the test can still make it jump). Always in UTC.
 *
 * <p>Threads: any thread may read or advance it.
 */
public final class MutableClock extends Clock {
    /** Where a standing clock starts: 2023-11-14T22:13:20Z. */
    public static final long DEFAULT_START_MILLIS = 1_700_000_000_000L;

    private final Clock base;
    private final AtomicLong offsetMillis = new AtomicLong();

    /** A clock standing at {@link #DEFAULT_START_MILLIS}. */
    public MutableClock() {
        this(DEFAULT_START_MILLIS);
    }

    /** A clock standing at {@code startMillis}. */
    public MutableClock(long startMillis) {
        this(Clock.fixed(Instant.ofEpochMilli(startMillis), ZoneOffset.UTC));
    }

    private MutableClock(Clock base) {
        this.base = base;
    }

    /** A clock that reads {@code base} plus what {@link #advance} added so far. */
    public static MutableClock following(Clock base) {
        return new MutableClock(base);
    }

    /** Moves the clock by {@code millis} (negative: back, as a real clock may be set back). */
    public void advance(long millis) {
        offsetMillis.addAndGet(millis);
    }

    public void advance(Duration d) {
        advance(d.toMillis());
    }

    @Override
    public long millis() {
        return base.millis() + offsetMillis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
