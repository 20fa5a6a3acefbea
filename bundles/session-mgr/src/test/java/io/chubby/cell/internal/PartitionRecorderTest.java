package io.chubby.cell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.PartitionHash;
import io.chubby.cell.internal.state.Partitions;
import io.chubby.testkit.Await;
import io.chubby.testkit.FakeGroupCell;
import io.chubby.testkit.HashPartitioner;
import io.chubby.testkit.MutableClock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The partitions are recorded by the group-0 master's timer once the partitioning bundle's
 * partitioner (here testkit's {@link HashPartitioner}) of N > 1 is bound (docs/PARTITIONING.md
 * section 5, step 14): retried while a member lags, refused for good on a cell that holds data,
 * never for N = 1, and a partitioner of another N than the recorded one is reported in Status.
 */
class PartitionRecorderTest {
    private static final Partitions FOUR = new Partitions(4, PartitionHash.NAME, PartitionHash.SLOTS);
    private final ThreeHosts three = new ThreeHosts();
    private final MutableClock clock = three.clock;
    private final FakeGroupCell cell = three.cell;
    private final List<CellHost> hosts = three.hosts;

    @BeforeEach
    void start() {
        three.start();
    }

    @AfterEach
    void stop() {
        three.stop();
    }

    private CellHost host(int r) {
        return three.host(r);
    }

    /** Every replica's group-0 timer steps once, as the product's timer does every cell.timer.tick.ms. */
    private void tickAll() {
        hosts.forEach(h -> h.server(0).tick());
    }

    private static String metric(CellHost h) {
        return h.server(0).statusForTest().getMetricsMap().get("partitioning");
    }

    @Test
    void theGroupZeroMasterRecordsTheBoundNAndEveryReplicaOpensTheGroups() {
        hosts.forEach(h -> h.bindPartitioner(new HashPartitioner(4)));
        assertEquals("recording (bound 4 fnv1a64-v1, recorded 1)", metric(host(2)));
        host(2).server(0).tick();
        host(3).server(0).tick();
        assertEquals(Partitions.ONE, host(1).partitions(), "only the group-0 master proposes");
        host(1).server(0).tick();
        for (CellHost h : hosts) {
            Await.until("the record applied", () -> FOUR.equals(h.partitions()));
            Await.until("four groups open", () -> h.openGroups().equals(List.of(0, 1, 2, 3)));
            assertEquals("4 fnv1a64-v1", metric(h));
        }
        int entries = cell.logLength(0);
        tickAll();
        tickAll();
        assertEquals(entries, cell.logLength(0), "recorded once: later ticks propose nothing");
    }

    @Test
    void retriedOnLaterTicksWhileAMemberHasNotAnnouncedThePeerMinor() {
        cell.replica(1).announcePeerMinors(Map.of(2, 3, 3, 2));
        host(1).bindPartitioner(new HashPartitioner(4));
        int entries = cell.logLength(0);
        tickAll();
        tickAll();
        assertEquals(entries, cell.logLength(0), "nothing proposed while replica 3 speaks peer 1.2");
        assertEquals("recording (bound 4 fnv1a64-v1, recorded 1)", metric(host(1)));
        cell.replica(1).announcePeerMinors(Map.of(2, 3, 3, 3));
        host(1).server(0).tick();
        Await.until("the record applied", () -> FOUR.equals(host(3).partitions()));
    }

    @Test
    void aCellHoldingDataIsNotPartitionedAndStatusSaysWhyAndBothValues() {
        new TestClient(host(1).server(0)).createSession();
        host(1).bindPartitioner(new HashPartitioner(4));
        int entries = cell.logLength(0);
        tickAll();
        tickAll();
        assertEquals(entries, cell.logLength(0), "refused before proposing: the cell holds a session");
        assertEquals(Partitions.ONE, host(1).partitions());
        String m = metric(host(1));
        assertTrue(m.startsWith("mismatch (bound 4 fnv1a64-v1, recorded 1 fnv1a64-v1: the cell holds data (1 nodes, "
                + "1 sessions)"), m);
        // a new partitioner (the bundle reconfigured) is judged afresh: N = 1 is no mismatch
        host(1).bindPartitioner(new HashPartitioner(1));
        tickAll();
        assertNull(metric(host(1)));
    }

    @Test
    void onePartitionRecordsNothingAndTheCellStaysTodaysCell() {
        hosts.forEach(h -> h.bindPartitioner(new HashPartitioner(1)));
        int entries = cell.logLength(0);
        tickAll();
        tickAll();
        assertEquals(entries, cell.logLength(0));
        for (CellHost h : hosts) {
            assertEquals(Partitions.ONE, h.partitions());
            assertEquals(List.of(0), h.openGroups());
            assertNull(metric(h), "no partitioning metric in a cell of one partition");
        }
    }

    @Test
    void aReplicaConfiguredWithAnotherNIsReportedAgainstTheRecord() {
        host(1).bindPartitioner(new HashPartitioner(4));
        host(1).server(0).tick();
        Await.until("the record applied", () -> FOUR.equals(host(3).partitions()));
        host(3).bindPartitioner(new HashPartitioner(8));
        host(3).server(0).tick();
        assertEquals("mismatch (bound 8 fnv1a64-v1, recorded 4 fnv1a64-v1)", metric(host(3)));
        assertEquals(FOUR, host(3).partitions(), "the record stays");
    }
}
