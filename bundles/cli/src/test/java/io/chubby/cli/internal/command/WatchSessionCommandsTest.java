package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.Event;
import io.chubby.api.EventType;
import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.testkit.Await;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code chubby watch} and {@code chubby session} against a real cell in this JVM. */
class WatchSessionCommandsTest {
    private final Harness h = Harness.withCell();

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void watchPrintsOneLinePerEventInOrder() throws Exception {
        h.run("mkdir", "/ls/local/d");
        CompletableFuture<Result> watch = CompletableFuture.supplyAsync(
                () -> h.run("watch", "--children", "--count", "2", "/ls/local/d"));
        // printed once the handle is open with its events and the listener is in place
        Await.until("the watch to start", () -> h.errSoFar().startsWith("watching /ls/local/d"));
        assertTrue(h.errSoFar().contains(" events=[CONTENTS_MODIFIED, CHILD_ADDED, CHILD_REMOVED, CHILD_MODIFIED,"
                + " HANDLE_INVALID]"), h.errSoFar());
        h.observer().write("/ls/local/d/f", new byte[0]);
        long instance = h.stat("/ls/local/d/f").instance();
        h.observer().delete("/ls/local/d/f");
        Result r = watch.get(30, TimeUnit.SECONDS);
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("CHILD_ADDED /ls/local/d child=f generation=" + instance,
                "CHILD_REMOVED /ls/local/d child=f generation=" + instance), r.outLines());
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
        assertTrue(r.out().matches("session=\\d+ state=SAFE lease_remaining_ms=\\d+\n"), r.out());
        assertEquals(Long.toUnsignedString(h.clients.get(0).sessionId()), r.out().split("[= ]")[1]);
        assertEquals(0, h.cell().status().getSessions(), "closed again");
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

    @Test
    void cellStatusNamesTheBackupARestoredReplicaCameFrom() {
        io.chubby.client.ReplicaStatus restored = new io.chubby.client.ReplicaStatus(2, "replica", 1, 3, 9, 9, 1, 1,
                false, 0, 3, "127.0.0.1:7002", 11, Map.of("restored_from",
                "restored from backup 2026-12-05T20:00:00Z at index 9 (epoch 3, cell \"local\")"));
        assertEquals(" restored=\"restored from backup 2026-12-05T20:00:00Z at index 9 (epoch 3, cell 'local')\"",
                CellStatusCommand.restoredFrom(restored));
        io.chubby.client.ReplicaStatus own = new io.chubby.client.ReplicaStatus(2, "replica", 1, 3, 9, 9, 1, 1,
                false, 0, 3, "127.0.0.1:7002", 11, Map.of());
        assertEquals("", CellStatusCommand.restoredFrom(own));
    }
}
