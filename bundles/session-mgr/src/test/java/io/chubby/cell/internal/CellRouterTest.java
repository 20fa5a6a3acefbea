package io.chubby.cell.internal;

import static io.chubby.cell.internal.TestClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.api.PartitionHash;
import io.chubby.protocol.CloseSessionRequest;
import io.chubby.protocol.Create;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.protocol.GroupStatus;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.MasterLocationRequest;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.PartitionMaster;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.StatusReply;
import io.chubby.protocol.StatusRequest;
import io.chubby.testkit.FakeGroupCell;
import io.chubby.testkit.HashPartitioner;
import io.chubby.testkit.MemoryNetwork;
import io.chubby.testkit.MutableClock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cell host's router (docs/PARTITIONING.md step 9) on three replicas of testkit groups: a cell
 * of one partition answers exactly as before; a cell of four routes every call to the group it
 * names, checks the node's partition (WRONG_PARTITION with the map), answers NOT_MASTER and
 * MasterLocation with the partition map, lists its groups in Status, refuses a client that does
 * not route by partition, and refuses node calls and new sessions while no matching partitioner
 * is bound (location, status and admin still answered, and the calls that keep sessions alive).
 */
class CellRouterTest {
    private static final int N = 4;
    /** Group g's master: replica (g mod 3) + 1 ({@link ThreeHosts#partition}). */
    private static final int[] MASTERS = {1, 2, 3, 1};
    private final ThreeHosts three = new ThreeHosts();
    private final MutableClock clock = three.clock;
    private final FakeGroupCell cell = three.cell;
    private final List<CellHost> hosts = three.hosts;
    private final HashPartitioner partitioner = new HashPartitioner(N);

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

    private void partitionIntoFour() throws Exception {
        three.partition(N);
        hosts.forEach(h -> h.bindPartitioner(partitioner));
    }

    /** A directory whose children live on {@code partition} (found by trying names; the hash is fixed). */
    private static String directoryOn(int partition) {
        for (int i = 0; ; i++) {
            String d = "/ls/c/d" + i;
            if (PartitionHash.slotOf(NodePath.parse(d)) % N == partition) {
                return d;
            }
        }
    }

    private static Request.Builder createSession(int partition, boolean aware) {
        return Request.newBuilder().setPartition(partition).setCreateSession(
                CreateSessionRequest.newBuilder().setClientName("t").setPartitionAware(aware));
    }

    private static Request.Builder open(int partition, long session, String path, boolean create) {
        return Request.newBuilder().setPartition(partition).setSessionId(session).setOpen(OpenRequest.newBuilder()
                .setPath(path).setModeBits(3).setCreate(create ? Create.CREATE_MAY : Create.CREATE_NO));
    }

    private static Request.Builder location() {
        return Request.newBuilder().setMasterLocation(MasterLocationRequest.getDefaultInstance());
    }

    private static Request.Builder status() {
        return Request.newBuilder().setStatus(StatusRequest.getDefaultInstance());
    }

    private void assertMap(MasterLocation m, int partition) {
        assertEquals(N, m.getPartitions());
        assertEquals(PartitionHash.NAME, m.getPartitionHash());
        assertEquals(partition, m.getPartition());
        assertEquals(MASTERS[partition], m.getMasterId(), "the master fields name partition " + partition + "'s");
        assertEquals("127.0.0.1:700" + MASTERS[partition], m.getMasterAddress());
        List<Integer> ids = m.getPartitionMastersList().stream().map(PartitionMaster::getMasterId).toList();
        assertEquals(List.of(1, 2, 3, 1), ids);
        for (PartitionMaster pm : m.getPartitionMastersList()) {
            assertEquals("127.0.0.1:700" + pm.getMasterId(), pm.getMasterAddress());
            assertEquals(cell.replica(1).open(pm.getPartition()).epoch(), pm.getEpoch());
        }
    }

    @Test
    void aCellOfOnePartitionAnswersAsBeforeAndRefusesAnotherPartition() {
        TestClient c = new TestClient(host(1));
        MasterLocation m = c.ok(location()).getMasterLocation();
        assertEquals(MasterLocation.newBuilder().setCell("c").setMasterId(1).setMasterAddress("127.0.0.1:7001")
                .setEpoch(1).addAllReplicas(List.of("127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003")).build(), m,
                "no partition field in a cell of one partition");
        StatusReply s = c.ok(status()).getStatus();
        assertEquals(0, s.getGroupsCount());
        assertFalse(s.getMetricsMap().containsKey("partitioning"));
        c.createSession();
        Response opened = c.ok(open(0, c.session, "/ls/c/f", true));
        assertFalse(opened.getOpen().getStat().hasField(
                io.chubby.protocol.StatMessage.getDescriptor().findFieldByName("partition")));
        Response r = c.call(open(2, c.session, "/ls/c/g", true));
        assertError(ErrorCode.WRONG_PARTITION, r);
        assertEquals("this cell has one partition; there is no partition 2", r.getError().getMessage());
        assertEquals(0, r.getMaster().getPartitions());
    }

    @Test
    void callsGoToTheGroupTheyNameAndANodeOfAnotherPartitionIsAnsweredWithTheMap() throws Exception {
        partitionIntoFour();
        int rootChildren = partitioner.partitionOfChildren(NodePath.root("c"));
        assertEquals(2, rootChildren, "fixed by the hash: slot(\"/\") mod 4");
        int other = (rootChildren + 1) % N;
        String dir = directoryOn(other);
        String file = dir + "/f";

        // A session of the partition holding `file`, on its master; the Open reaches that group (its
        // directory is not there: no anchor of it there, and its own group, asked over the cross-group
        // channel (ResolveDir, here delivered on the caller's thread), holds no node of it either).
        cell.carryCrossOver(new MemoryNetwork());
        TestClient onOther = new TestClient(host(MASTERS[other]));
        Response created = onOther.ok(createSession(other, true));
        long session = created.getCreateSession().getSessionId();
        assertEquals(1, session, "sessions are numbered per group");
        Response r = onOther.call(open(other, session, file, true));
        assertError(ErrorCode.NO_SUCH_NODE, r);

        // The same Open routed to a group that does not hold the file: WRONG_PARTITION, nothing applied.
        int wrong = (other + 2) % N;
        TestClient onWrong = new TestClient(host(MASTERS[wrong]));
        long wrongSession = onWrong.ok(createSession(wrong, true)).getCreateSession().getSessionId();
        long applied = host(MASTERS[wrong]).server(wrong).stateMachine().appliedIndex();
        r = onWrong.call(open(wrong, wrongSession, file, true));
        assertError(ErrorCode.WRONG_PARTITION, r);
        assertEquals(file + " is held by partition " + other + ", not " + wrong + "; take the partition map in this "
                + "answer and call partition " + other, r.getError().getMessage());
        assertMap(r.getMaster(), other);
        assertEquals(applied, host(MASTERS[wrong]).server(wrong).stateMachine().appliedIndex());

        // The root is partition 0's: opened there, its Stat names partition 0 (unset on the wire);
        // a child of the root is the root's children's partition.
        TestClient onZero = new TestClient(host(1));
        long zeroSession = onZero.ok(createSession(0, true)).getCreateSession().getSessionId();
        Response root = onZero.ok(open(0, zeroSession, "/ls/c/", false));
        assertEquals(0, root.getOpen().getStat().getPartition());
        assertTrue(root.getOpen().getStat().getDirectory());
        r = onZero.call(open(0, zeroSession, "/ls/c/x", true));
        assertError(ErrorCode.WRONG_PARTITION, r);
        assertMap(r.getMaster(), rootChildren);

        // A session call goes to the session's own group: closing it there ends it there only.
        onOther.ok(Request.newBuilder().setPartition(other).setSessionId(session)
                .setCloseSession(CloseSessionRequest.getDefaultInstance()));
        assertEquals(0, host(1).server(other).sessionCount());
        assertEquals(1, host(1).server(wrong).sessionCount());
    }

    @Test
    void notMasterAndMasterLocationCarryThePartitionMap() throws Exception {
        partitionIntoFour();
        for (int g = 0; g < N; g++) {
            int notMaster = MASTERS[g] % 3 + 1;
            Response r = new TestClient(host(notMaster)).call(createSession(g, true));
            assertError(ErrorCode.NOT_MASTER, r);
            assertMap(r.getMaster(), g);
        }
        for (int replica = 1; replica <= 3; replica++) {
            assertMap(new TestClient(host(replica)).ok(location()).getMasterLocation(), 0);
        }
    }

    @Test
    void statusListsEveryGroupAndHowCallsAreRouted() throws Exception {
        partitionIntoFour();
        StatusReply s = new TestClient(host(2)).ok(status()).getStatus();
        assertEquals(List.of(0, 1, 2, 3), s.getGroupsList().stream().map(GroupStatus::getGroup).toList());
        for (GroupStatus g : s.getGroupsList()) {
            assertEquals(MASTERS[g.getGroup()], g.getMasterId());
            assertEquals(MASTERS[g.getGroup()] == 2 ? "master" : "replica", g.getRole());
            assertEquals(host(1).server(g.getGroup()).stateMachine().checksum(), g.getChecksum());
        }
        assertEquals("4 fnv1a64-v1", s.getMetricsOrThrow("partitioning"));
        assertEquals(1, s.getMasterId(), "the top-level fields stay group 0's");
    }

    @Test
    void aClientThatDoesNotRouteByPartitionIsRefusedAtCreateSession() throws Exception {
        partitionIntoFour();
        Response r = new TestClient(host(1)).call(createSession(0, false));
        assertError(ErrorCode.INVALID_ARGUMENT, r);
        assertEquals("this cell is partitioned 4 ways; use a client that routes by partition (protocol 1.6.0, "
                + "Java client 1.7.0)", r.getError().getMessage());
        Response beyond = new TestClient(host(1)).call(createSession(N, true));
        assertError(ErrorCode.WRONG_PARTITION, beyond);
        assertEquals("this cell has 4 partitions; there is no partition 4", beyond.getError().getMessage());
        assertMap(beyond.getMaster(), 0);
    }

    @Test
    void withoutAMatchingPartitionerOnlyLocationStatusAdminAndSessionLivenessAreAnswered() throws Exception {
        partitionIntoFour();
        int other = 1;
        TestClient keeper = new TestClient(host(MASTERS[other]));
        long session = keeper.ok(createSession(other, true)).getCreateSession().getSessionId();
        hosts.forEach(h -> h.unbindPartitioner(partitioner));
        // a session made before keeps living: its KeepAlive names its group and no node, so it reaches
        // the group's master, which holds it until just before the lease ends (not refused at once)
        assertNull(keeper.callAcross(Request.newBuilder().setPartition(other).setSessionId(session)
                .setKeepAlive(KeepAliveRequest.getDefaultInstance()), () -> { }), "held by the group, not refused");
        // ... but no node call is served: which partition holds a node is the partitioner's to say
        Response node = keeper.call(open(other, session, directoryOn(other) + "/f", true));
        assertError(ErrorCode.CELL_UNAVAILABLE, node);
        keeper.ok(Request.newBuilder().setPartition(other).setSessionId(session)
                .setCloseSession(CloseSessionRequest.getDefaultInstance()));
        assertEquals(0, host(1).server(other).sessionCount(), "closed in its group");
        TestClient c = new TestClient(host(1));
        Response r = c.call(createSession(0, true));
        assertError(ErrorCode.CELL_UNAVAILABLE, r);
        assertEquals("this cell is partitioned 4 ways (fnv1a64-v1) and no partitioner is deployed; deploy the "
                + "partitioning bundle configured alike and retry", r.getError().getMessage());
        assertMap(c.ok(location()).getMasterLocation(), 0);
        assertEquals("missing (4 fnv1a64-v1 recorded)", c.ok(status()).getStatus().getMetricsOrThrow("partitioning"));

        HashPartitioner eight = new HashPartitioner(8);
        host(1).bindPartitioner(eight);
        r = c.call(createSession(0, true));
        assertError(ErrorCode.CELL_UNAVAILABLE, r);
        assertTrue(r.getError().getMessage().contains("the deployed partitioner does not match: bound 8 fnv1a64-v1, "
                + "recorded 4 fnv1a64-v1"), r.getError().getMessage());
        assertEquals("mismatch (bound 8 fnv1a64-v1, recorded 4 fnv1a64-v1)",
                c.ok(status()).getStatus().getMetricsOrThrow("partitioning"));

        // A DS-style swap: the new one is bound before the old one is unbound; unbinding the old one keeps the new.
        host(1).bindPartitioner(partitioner);
        host(1).unbindPartitioner(eight);
        assertNotEquals(0, c.ok(createSession(0, true)).getCreateSession().getSessionId());
    }
}
