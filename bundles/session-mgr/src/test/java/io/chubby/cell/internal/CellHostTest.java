package io.chubby.cell.internal;

import static io.chubby.cell.internal.TestClient.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.PartitionHash;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.cell.internal.state.Partitions;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.spi.CellOperation;
import io.chubby.spi.PartitionView;
import io.chubby.spi.RequestFilter;
import io.chubby.testkit.Await;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.FakeGroupCell;
import io.chubby.testkit.MemoryStateStores;
import io.chubby.testkit.MutableClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CellHost (docs/PARTITIONING.md step 7) on three replicas of testkit groups: the groups a record
 * names are opened on every replica (also one that catches up later, and on a restart), each group
 * has its own master, InitCell (one secret) and server; SetPartitions is refused on a cell with
 * data, while a member has not announced peer 1.3, and for another N; N = 1 stays one group.
 */
class CellHostTest {
    private static final List<Integer> ALL_FOUR = List.of(0, 1, 2, 3);
    private final MutableClock clock = new MutableClock();
    private final CellSettings settings = new CellSettings("c", 1024, 12_000, 60_000, 1_000, 0);
    private final FakeGroupCell cell = new FakeGroupCell(FakeConsensus.THREE_REPLICAS);
    private final List<MemoryStateStores> stores = List.of(new MemoryStateStores(), new MemoryStateStores(),
            new MemoryStateStores());
    private final List<CellHost> hosts = new ArrayList<>();

    @BeforeEach
    void start() {
        for (int r = 1; r <= 3; r++) {
            hosts.add(startHost(r));
            cell.replica(r).announcePeerMinors(Map.of(1, 3, 2, 3, 3, 3));
        }
        cell.elect(0, 1);
    }

    private CellHost startHost(int r) {
        CellHost h = new CellHost(cell.replica(r).open(0), stores.get(r - 1).group(0), cell.replica(r),
                stores.get(r - 1), settings, clock, new Random(r));
        h.start();
        return h;
    }

    @AfterEach
    void stop() {
        hosts.forEach(CellHost::stop);
    }

    private CellHost host(int r) {
        return hosts.get(r - 1);
    }

    private static void awaitGroups(CellHost h, List<Integer> groups) {
        Await.until("groups " + groups + " open", () -> h.openGroups().equals(groups));
    }

    @Test
    void fourGroupsOpenedFromTheRecordOnEveryReplicaEachWithItsMasterAndOneSecret() throws Exception {
        cell.pause(3); // replica 3 lags in group 0 and learns the record when it catches up
        host(1).recordPartitions(4).get(10, TimeUnit.SECONDS);
        awaitGroups(host(1), ALL_FOUR);
        awaitGroups(host(2), ALL_FOUR);
        assertEquals(List.of(0), host(3).openGroups());
        cell.elect(1, 2);
        cell.elect(2, 1);
        cell.elect(3, 1);
        cell.resume(3);
        awaitGroups(host(3), ALL_FOUR);
        cell.elect(3, 3); // masters spread over the replicas: group g on replica (g mod 3) + 1
        assertEquals(List.of(0, 1, 2, 3), cell.replica(3).opened());

        byte[] secret = host(1).server(0).secret();
        assertNotNull(secret);
        for (int r = 1; r <= 3; r++) {
            assertEquals(new Partitions(4, PartitionHash.NAME, PartitionHash.SLOTS), host(r).partitions());
            for (int g = 0; g < 4; g++) {
                CellServer s = host(r).server(g);
                assertArrayEquals(secret, s.secret(), "secret of group " + g + " on replica " + r);
                assertEquals(g, s.group());
                assertEquals(host(1).server(g).stateMachine().checksum(), s.stateMachine().checksum(),
                        "group " + g + " on replica " + r);
            }
        }
        // Only group 0 holds the root; every group's state names its group.
        assertNotNull(host(2).server(0).namespace().stat("/"));
        assertNull(host(2).server(1).namespace().stat("/"));

        // Each group's master serves its own server: sessions are per group, numbered from 1 in each.
        int[] masters = {1, 2, 1, 3};
        for (int g = 1; g < 4; g++) {
            TestClient onMaster = new TestClient(host(masters[g]).server(g));
            assertEquals(1, onMaster.createSession(), "first session of group " + g);
            int other = masters[g] % 3 + 1;
            Response r = new TestClient(host(other).server(g))
                    .call(Request.newBuilder().setCreateSession(CreateSessionRequest.newBuilder().setClientName("t")));
            assertError(ErrorCode.NOT_MASTER, r);
            assertEquals(masters[g], r.getMaster().getMasterId());
        }

        PartitionView view = new HostedPartitionView(host(2));
        assertEquals(4, view.partitions());
        assertEquals(PartitionHash.NAME, view.hashName());
        assertEquals(PartitionHash.SLOTS, view.slots());
        assertEquals(List.of(new PartitionView.GroupMaster(0, 1, 1), new PartitionView.GroupMaster(1, 2, 1),
                new PartitionView.GroupMaster(2, 1, 1), new PartitionView.GroupMaster(3, 3, 2)), view.groups());
    }

    @Test
    void aFilterBoundBeforeTheGroupsOpenedGuardsThemTooUntilItIsRemoved() throws Exception {
        RequestFilter noSessions = r -> {
            if (r.operation() == CellOperation.CREATE_SESSION) {
                throw new ChubbyException(ErrorCode.PERMISSION_DENIED, "no new sessions");
            }
        };
        host(1).addFilter(noSessions, 0, 1L);
        host(1).recordPartitions(4).get(10, TimeUnit.SECONDS);
        awaitGroups(host(1), ALL_FOUR);
        cell.elect(2, 1);
        Request.Builder create = Request.newBuilder().setCreateSession(CreateSessionRequest.newBuilder()
                .setClientName("t"));
        assertError(ErrorCode.PERMISSION_DENIED, new TestClient(host(1).server(2)).call(create));
        host(1).removeFilter(noSessions);
        assertEquals(1, new TestClient(host(1).server(2)).createSession());
    }

    @Test
    void aRestartedHostOpensTheRecordedGroupsAtStart() throws Exception {
        host(1).recordPartitions(4).get(10, TimeUnit.SECONDS);
        awaitGroups(host(2), ALL_FOUR);
        host(2).stop();
        CellHost again = startHost(2);
        hosts.set(1, again);
        assertEquals(ALL_FOUR, again.openGroups()); // read from group 0's stored state, before start returns
    }

    /**
     * A host given an executor (the whole-cell simulator's seam) opens the groups of a record that
     * appears in group 0's apply only when that executor runs the task: never on the apply's stack,
     * never on a thread of its own.
     */
    @Test
    void aHostGivenAnExecutorOpensTheGroupsOfANewRecordOnlyThere() throws Exception {
        host(2).stop();
        java.util.concurrent.ConcurrentLinkedQueue<Runnable> queued = new java.util.concurrent.ConcurrentLinkedQueue<>();
        CellHost queuing = new CellHost(cell.replica(2).open(0), stores.get(1).group(0), cell.replica(2),
                stores.get(1), settings, clock, new Random(2), queued::add);
        queuing.start();
        hosts.set(1, queuing);
        host(1).recordPartitions(4).get(10, TimeUnit.SECONDS);
        awaitGroups(host(1), ALL_FOUR);
        Await.until("the opening queued on replica 2", () -> !queued.isEmpty());
        assertEquals(new Partitions(4, PartitionHash.NAME, PartitionHash.SLOTS), queuing.partitions());
        assertEquals(List.of(0), queuing.openGroups());
        for (Runnable r; (r = queued.poll()) != null; ) {
            r.run();
        }
        assertEquals(ALL_FOUR, queuing.openGroups());
    }

    @Test
    void setPartitionsIsRefusedOnceTheCellHoldsData() {
        new TestClient(host(1).server(0)).createSession();
        ChubbyException e = failure(host(1), 4);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals("the cell holds data partitioned 1 way(s); changing the number of partitions "
                + "(re-partitioning) is not supported", e.detail());
        for (CellHost h : hosts) {
            assertEquals(1, h.partitions().count());
            assertEquals(List.of(0), h.openGroups());
        }
    }

    @Test
    void aDifferentNIsRefusedOnceRecorded() throws Exception {
        host(1).recordPartitions(4).get(10, TimeUnit.SECONDS);
        ChubbyException e = failure(host(1), 8);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals("the cell holds data partitioned 4 way(s); changing the number of partitions "
                + "(re-partitioning) is not supported", e.detail());
        host(1).recordPartitions(4).get(10, TimeUnit.SECONDS); // the same record again: a no-op
        awaitGroups(host(1), ALL_FOUR);
    }

    @Test
    void proposedOnlyOnTheGroupZeroMasterOnceEveryMemberSpeaksPeer13() {
        cell.replica(1).announcePeerMinors(Map.of(2, 3, 3, 2));
        int entries = cell.logLength(0);
        ChubbyException e = failure(host(1), 4);
        assertEquals(ErrorCode.CELL_UNAVAILABLE, e.code());
        assertEquals("members [3] have not announced peer 1.3 (the grouped peer messages): partitions are recorded "
                + "only on a cell where every replica runs this version", e.detail());
        assertEquals(entries, cell.logLength(0), "nothing proposed");
        assertEquals(ErrorCode.NOT_MASTER, failure(host(2), 4).code());
    }

    @Test
    void oneGroupWithoutARecordAndRequestsGoToGroupZero() {
        for (int r = 1; r <= 3; r++) {
            assertEquals(List.of(0), host(r).openGroups());
            assertEquals(List.of(0), cell.replica(r).opened());
            assertEquals(Partitions.ONE, host(r).partitions());
        }
        PartitionView view = new HostedPartitionView(host(3));
        assertEquals(1, view.partitions());
        assertEquals(List.of(new PartitionView.GroupMaster(0, 1, 1)), view.groups());
        io.chubby.testkit.CapturingConnection conn = new io.chubby.testkit.CapturingConnection();
        host(1).request(conn, Request.newBuilder().setCallId(1).setCreateSession(
                CreateSessionRequest.newBuilder().setClientName("t")).build().toByteArray());
        assertEquals(1, conn.forCall(1).getCreateSession().getSessionId());
        assertEquals(host(1).server(0).stateMachine().checksum(), host(3).server(0).stateMachine().checksum());
        assertEquals(1, host(3).server(0).namespace().appliedIndex() - 2, "InitCell, the settling Noop, the session");
    }

    private static ChubbyException failure(CellHost h, int n) {
        CompletionException e = assertThrows(CompletionException.class, () -> h.recordPartitions(n).join());
        return assertInstanceOf(ChubbyException.class, e.getCause());
    }
}
