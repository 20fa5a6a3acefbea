package io.chubby.transport.internal;

import io.chubby.testkit.Await;

/** What the transport tests wait for after stopping everything (tests only). */
final class TransportThreads {
    private TransportThreads() {
    }

    /** Waits until no transport thread (ours or MINA's) is left: stop() must not leak threads. */
    static void awaitNone() {
        Await.until("transport threads to end", () -> Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .noneMatch(n -> n.startsWith("chubby-") || n.startsWith("Nio")));
    }
}
