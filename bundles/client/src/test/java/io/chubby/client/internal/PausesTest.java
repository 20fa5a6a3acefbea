package io.chubby.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.testkit.Await;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A pause ends once: by its backoff or by a wake, never both; a forgotten pause never runs its step. */
class PausesTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Pauses pauses = new Pauses(timer);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void aWakeEndsEveryPauseOnceAndItsBackoffThenDoesNothing() throws Exception {
        AtomicInteger a = new AtomicInteger();
        AtomicInteger b = new AtomicInteger();
        pauses.pause("a", a::incrementAndGet, 60_000);
        pauses.pause("b", b::incrementAndGet, 60_000);
        assertEquals(2, pauses.size());
        pauses.wakeAll();
        pauses.wakeAll();
        Await.until("both pauses ended", () -> a.get() == 1 && b.get() == 1);
        timer.submit(() -> { }).get(); // every wake queued on the timer has run
        assertEquals(1, a.get());
        assertEquals(1, b.get());
        assertEquals(0, pauses.size());
    }

    @Test
    void aBackoffThatRunsOutEndsThePauseOnceAndAForgottenPauseNeverRuns() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger forgotten = new AtomicInteger();
        pauses.pause("ran", ran::incrementAndGet, 1);
        pauses.pause("forgotten", forgotten::incrementAndGet, 1);
        pauses.forget("forgotten");
        Await.until("the backoff ran out", () -> ran.get() == 1);
        pauses.wakeAll();
        timer.submit(() -> { }).get();
        assertEquals(1, ran.get());
        assertEquals(0, forgotten.get());
        assertEquals(0, pauses.size());
    }
}
