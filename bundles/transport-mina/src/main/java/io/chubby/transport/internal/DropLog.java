package io.chubby.transport.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts peer messages dropped on one link and logs them at DEBUG at most once per second, so a
 * peer that is down for minutes does not flood the log. Thread-safe (called from any sender).
 */
final class DropLog {
    private static final Logger log = LoggerFactory.getLogger(DropLog.class);
    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final int to;
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong sinceLog = new AtomicLong();
    private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());

    DropLog(int to) {
        this.to = to;
    }

    void dropped(String reason) {
        total.incrementAndGet();
        sinceLog.incrementAndGet();
        long now = System.nanoTime();
        long next = nextLogNanos.get();
        if (now - next >= 0 && nextLogNanos.compareAndSet(next, now + INTERVAL_NANOS)) {
            log.debug("dropped peer messages to={} count={} reason={}", to, sinceLog.getAndSet(0), reason);
        }
    }

    long total() {
        return total.get();
    }
}
