package io.chubby.transport.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.BooleanSupplier;

/** Polls a condition with a deadline (tests only; real sockets need a little time). */
final class Await {
    private Await() {
    }

    /** Waits until no transport thread (ours or MINA's) is left: stop() must not leak threads. */
    static void noTransportThreads() {
        until("transport threads to end", () -> Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .noneMatch(n -> n.startsWith("chubby-") || n.startsWith("Nio")));
    }

    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
