package io.chubby.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AwaitTest {
    @Test
    void returnsOnceAnotherThreadMakesTheConditionTrue() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch polled = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                polled.await();
            } catch (InterruptedException e) {
                return;
            }
            done.set(true);
        });
        t.start();
        Await.until("the flag", () -> {
            polled.countDown();
            return done.get();
        });
        t.join();
    }

    @Test
    void failsNamingWhatItAwaited() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.until("the impossible", Duration.ofMillis(30), () -> false));
        assertEquals("timed out after 30 ms waiting for: the impossible", e.getMessage());
    }
}
