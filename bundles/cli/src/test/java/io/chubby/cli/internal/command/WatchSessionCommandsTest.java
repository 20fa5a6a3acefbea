package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.Event;
import io.chubby.api.EventType;
import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code chubby watch} and {@code chubby session} against the in-memory cell. */
class WatchSessionCommandsTest {
    private final Harness h = new Harness();

    @Test
    void watchPrintsOneLinePerEventInOrder() throws Exception {
        h.run("mkdir", "/ls/local/d");
        CompletableFuture<Result> watch = CompletableFuture.supplyAsync(
                () -> h.run("watch", "--children", "--count", "2", "/ls/local/d"));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (h.cell.handleListeners.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(Set.of(EventType.CONTENTS_MODIFIED, EventType.HANDLE_INVALID, EventType.CHILD_ADDED,
                EventType.CHILD_REMOVED, EventType.CHILD_MODIFIED), h.cell.subscriptions.get(0));
        h.cell.handleListeners.forEach(l -> l.accept(new Event(EventType.CHILD_ADDED, "/ls/local/d", "f", 4)));
        h.cell.handleListeners.forEach(l -> l.accept(new Event(EventType.CHILD_REMOVED, "/ls/local/d", "f", 4)));
        Result r = watch.get(10, TimeUnit.SECONDS);
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("CHILD_ADDED /ls/local/d child=f generation=4",
                "CHILD_REMOVED /ls/local/d child=f generation=4"), r.outLines());
    }

    @Test
    void eventLineFormat() {
        assertEquals("CONTENTS_MODIFIED /ls/local/f generation=3",
                WatchCommand.line(new Event(EventType.CONTENTS_MODIFIED, "/ls/local/f", null, 3)));
    }

    @Test
    void sessionPrintsIdAndState() {
        Result r = h.run("session");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("session=1 state=SAFE lease_remaining_ms="), r.out());
    }

    @Test
    void cellStatusMetricsOnlyForAMasterThatReportsThem() {
        io.chubby.client.ReplicaStatus master = new io.chubby.client.ReplicaStatus(1, "master", 1, 3, 9, 9, 1, 1,
                true, 2, 3, "127.0.0.1:7001", 10, Map.of("lease_ms", "12000", "sessions", "2",
                "keepalives_per_s", "0.5", "handles", "1"));
        assertEquals(" lease_ms=12000 sessions=2 keepalives_per_s=0.5", CellStatusCommand.leaseMetrics(master));
        io.chubby.client.ReplicaStatus replica = new io.chubby.client.ReplicaStatus(2, "replica", 1, 3, 9, 9, 1, 1,
                true, 2, 3, "127.0.0.1:7002", 11, Map.of("lease_ms", "12000"));
        assertEquals("", CellStatusCommand.leaseMetrics(replica));
    }
}
