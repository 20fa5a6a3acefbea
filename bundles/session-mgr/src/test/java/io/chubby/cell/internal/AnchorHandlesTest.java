package io.chubby.cell.internal;

import static io.chubby.cell.internal.TestClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.api.PartitionHash;
import io.chubby.cell.internal.cross.LocalCrossCalls;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.CellState;
import io.chubby.cell.internal.state.Partitions;
import io.chubby.protocol.AcquireRequest;
import io.chubby.protocol.CloseRequest;
import io.chubby.protocol.CloseSessionRequest;
import io.chubby.protocol.Create;
import io.chubby.protocol.DeleteRequest;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.GetStatRequest;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.LockModeKind;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.ReadDirRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetAclRequest;
import io.chubby.protocol.SetContentsRequest;
import io.chubby.testkit.Await;
import io.chubby.testkit.FakeGroupCell;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Anchor handles (docs/PARTITIONING.md 4.3, step 11): three replicas of four testkit groups, group
 * g mastered by replica g % 3 + 1, the masters' cross calls over one in-JVM {@link LocalCrossCalls}.
 * An Open with {@code directory_watch} on directory D in H = partitionOfChildren(D) lists H's
 * children of D (the root's too, whose node is in group 0), hears their CHILD_* events, refuses
 * every other call, and is refused for a directory H holds no live anchor of.
 */
class AnchorHandlesTest {
    private static final int RW = 3;
    private static final int GROUPS = 4;
    private static final int CHILD_EVENTS = 1 << EventKind.CHILD_ADDED_VALUE | 1 << EventKind.CHILD_REMOVED_VALUE;
    private static final Partitions FOUR = new Partitions(GROUPS, PartitionHash.NAME, PartitionHash.SLOTS);
    private final ThreeHosts three = new ThreeHosts();
    private final FakeGroupCell cell = three.cell;
    private final List<CellHost> hosts = three.hosts;

    @BeforeEach
    void start() throws Exception {
        LocalCrossCalls inJvm = new LocalCrossCalls(g -> hosts.stream().map(x -> x.localTarget(g))
                .filter(t -> t != null && t.master()).findFirst().orElse(null));
        three.start(5, h -> h.crossCalls(inJvm));
        three.partition(GROUPS);
    }

    @AfterEach
    void stop() {
        three.stop();
    }

    @Test
    void theRootIsListedThroughItsAnchorHandleInThePartitionOfItsChildren() {
        NodePath root = NodePath.root("c");
        int h = FOUR.partitionOfChildren(root);
        assertNotEquals(0, h, "the root's node is in group 0; this test needs its children elsewhere");
        TestClient inH = client(h);
        inH.ok(open("/ls/c/alpha", false));
        inH.ok(open("/ls/c/beta", false));

        ByteString anchor = inH.ok(watch("/ls/c", 0)).getOpen().getHandle();
        assertEquals(List.of("alpha", "beta"), names(inH.ok(readDir(anchor))));
        // The root's own handle in group 0 sees none of them: its children are in h.
        TestClient inZero = client(0);
        ByteString rootHandle = inZero.ok(open("/ls/c", true)).getOpen().getHandle();
        assertEquals(List.of(), names(inZero.ok(readDir(rootHandle))));
    }

    @Test
    void aCrossingDirectoryIsListedAndItsChildEventsComeToTheAnchorHandle() {
        String dir = crossingDirectory();
        TestClient inH = client(FOUR.partitionOfChildren(NodePath.parse(dir)));
        Response made = make(dir);
        inH.ok(open(dir + "/x", false));

        Response opened = inH.ok(watch(dir, CHILD_EVENTS));
        assertEquals(made.getOpen().getStat().getInstance(), opened.getOpen().getStat().getInstance());
        assertTrue(opened.getOpen().getStat().getDirectory());
        ByteString anchor = opened.getOpen().getHandle();
        assertEquals(List.of("x"), names(inH.ok(readDir(anchor))));

        ByteString y = inH.ok(open(dir + "/y", false)).getOpen().getHandle();
        inH.ok(Request.newBuilder().setDelete(DeleteRequest.newBuilder().setHandle(y)));
        List<EventMessage> events = events(inH);
        assertEquals(2, events.size(), events::toString);
        assertEquals(EventKind.CHILD_ADDED, events.get(0).getKind());
        assertEquals(EventKind.CHILD_REMOVED, events.get(1).getKind());
        for (EventMessage e : events) {
            assertEquals("y", e.getChild());
            assertEquals(dir, e.getPath());
            assertEquals(anchor, e.getHandle());
        }
        assertEquals(List.of("x"), names(inH.ok(readDir(anchor))));
        // the anchor handle is replicated state: every replica of H holds the same
        int h = FOUR.partitionOfChildren(NodePath.parse(dir));
        long expected = master(h).stateMachine().checksum();
        for (CellHost host : hosts) {
            Await.until("replica caught up in group " + h, () -> host.server(h).stateMachine().checksum() == expected);
        }
    }

    @Test
    void everyCallButReadDirAndCloseIsRefusedOnAnAnchorHandle() {
        String dir = crossingDirectory();
        make(dir);
        TestClient inH = client(FOUR.partitionOfChildren(NodePath.parse(dir)));
        ByteString anchor = inH.ok(watch(dir, 0)).getOpen().getHandle();

        assertError(ErrorCode.INVALID_ARGUMENT, inH.call(Request.newBuilder()
                .setGetContents(GetContentsRequest.newBuilder().setHandle(anchor))));
        assertError(ErrorCode.INVALID_ARGUMENT, inH.call(Request.newBuilder()
                .setGetStat(GetStatRequest.newBuilder().setHandle(anchor))));
        assertError(ErrorCode.INVALID_ARGUMENT, inH.call(Request.newBuilder()
                .setSetContents(SetContentsRequest.newBuilder().setHandle(anchor))));
        assertError(ErrorCode.INVALID_ARGUMENT, inH.call(Request.newBuilder()
                .setSetAcl(SetAclRequest.newBuilder().setHandle(anchor).setReadAcl("x"))));
        assertError(ErrorCode.INVALID_ARGUMENT, inH.call(Request.newBuilder()
                .setDelete(DeleteRequest.newBuilder().setHandle(anchor))));
        assertError(ErrorCode.INVALID_ARGUMENT, inH.call(Request.newBuilder().setAcquire(
                AcquireRequest.newBuilder().setHandle(anchor).setMode(LockModeKind.EXCLUSIVE).setTryOnly(true))));

        inH.ok(Request.newBuilder().setClose(CloseRequest.newBuilder().setHandle(anchor)));
        assertError(ErrorCode.BAD_HANDLE, inH.call(readDir(anchor)));
    }

    @Test
    void anAnchorHandleNeedsALiveAnchorInThePartitionOfTheChildren() {
        String dir = crossingDirectory();
        int c = FOUR.partitionOf(NodePath.parse(dir));
        int h = FOUR.partitionOfChildren(NodePath.parse(dir));
        TestClient inC = client(c);
        TestClient inH = client(h);
        assertError(ErrorCode.NO_SUCH_NODE, inH.call(watch(dir, 0))); // not made yet
        Response made = make(dir);
        assertError(ErrorCode.INVALID_ARGUMENT, inC.call(watch(dir, 0))); // C holds D's node, not its anchor
        Request.Builder creating = watch(dir, 0);
        creating.getOpenBuilder().setCreate(Create.CREATE_MAY);
        assertError(ErrorCode.INVALID_ARGUMENT, inH.call(creating));
        ByteString anchor = inH.ok(watch(dir, 0)).getOpen().getHandle();

        Response gone = inC.callAcross(Request.newBuilder().setDelete(DeleteRequest.newBuilder()
                .setHandle(made.getOpen().getHandle())), () -> drive(c));
        assertFalse(gone.hasError(), () -> gone.getError().toString());
        assertError(ErrorCode.BAD_HANDLE, inH.call(readDir(anchor)));
        assertError(ErrorCode.NO_SUCH_NODE, inH.call(watch(dir, 0)));
        // A file has no anchor: refused in the partition its children would have.
        String file = crossingName("/ls/c/f", h);
        client(FOUR.partitionOf(NodePath.parse(file))).ok(open(file, false));
        assertError(ErrorCode.NO_SUCH_NODE, inH.call(watch(file, 0)));
    }

    @Test
    void anAnchorHandleOutlivesAChangeOfMasterOfItsGroup() {
        int h = FOUR.partitionOfChildren(NodePath.root("c"));
        TestClient inH = client(h);
        inH.ok(open("/ls/c/alpha", false));
        ByteString anchor = inH.ok(watch("/ls/c", 0)).getOpen().getHandle();
        cell.elect(h, cell.masterOf(h) % 3 + 1);
        TestClient moved = new TestClient(master(h));
        moved.session = inH.session; // epoch 0: the session goes on under the new master's epoch
        Response[] listed = new Response[1];
        Await.until("the new master of group " + h + " answers", () -> {
            master(h).tick();
            listed[0] = moved.call(readDir(anchor));
            return !listed[0].hasError() || (listed[0].getError().getCode() != ErrorCode.CELL_UNAVAILABLE.wire()
                    && listed[0].getError().getCode() != ErrorCode.NOT_MASTER.wire());
        });
        assertFalse(listed[0].hasError(), () -> listed[0].getError().toString());
        assertEquals(List.of("alpha"), names(listed[0]));
    }

    @Test
    void anAnchorHandleIsClosedWithItsSession() {
        int h = FOUR.partitionOfChildren(NodePath.root("c"));
        CellState inH = stateOf(h);
        TestClient watcher = new TestClient(master(h));
        watcher.createSession();
        int before = inH.handleCount();
        watcher.ok(watch("/ls/c", CHILD_EVENTS));
        assertEquals(before + 1, inH.handleCount());
        watcher.ok(Request.newBuilder().setCloseSession(CloseSessionRequest.newBuilder()));
        assertEquals(before, inH.handleCount());
    }

    // ------------------------------------------------------------------ helpers

    private final Map<Integer, TestClient> clients = new java.util.HashMap<>();

    private TestClient client(int group) {
        return clients.computeIfAbsent(group, g -> {
            TestClient t = new TestClient(master(g));
            t.createSession();
            return t;
        });
    }

    private String crossingDirectory() {
        for (int i = 0; ; i++) {
            NodePath p = NodePath.parse("/ls/c/d" + i);
            if (FOUR.crossesGroups(p) && cell.masterOf(FOUR.partitionOf(p)) != cell.masterOf(FOUR.partitionOfChildren(p))) {
                return p.toString();
            }
        }
    }

    /** A name under the root whose children would be in group {@code h}, its node in another group. */
    private static String crossingName(String prefix, int h) {
        for (int i = 0; ; i++) {
            NodePath p = NodePath.parse(prefix + i);
            if (FOUR.crossesGroups(p) && FOUR.partitionOfChildren(p) == h) {
                return p.toString();
            }
        }
    }

    /** Makes the crossing directory {@code dir} through its node's group (answered once H holds its anchor). */
    private Response make(String dir) {
        int c = FOUR.partitionOf(NodePath.parse(dir));
        Response made = client(c).callAcross(open(dir, true), () -> drive(c));
        assertFalse(made.hasError(), () -> made.getError().toString());
        return made;
    }

    private void drive(int c) {
        for (int i = 0; i < 4; i++) {
            master(c).tick();
        }
    }

    private CellServer master(int group) {
        return hosts.get(cell.masterOf(group) - 1).server(group);
    }

    private CellState stateOf(int group) {
        return ((CellStateMachine) master(group).stateMachine()).read(s -> s);
    }

    /** The events a KeepAlive of {@code t}'s session carries now. */
    private static List<EventMessage> events(TestClient t) {
        long id = ++t.callId;
        t.server.request(t.conn, Request.newBuilder().setCallId(id).setSessionId(t.session).setEpoch(t.epoch)
                .setKeepAlive(KeepAliveRequest.newBuilder()).build().toByteArray());
        Response r = t.conn.forCall(id);
        return r == null ? List.of() : r.getKeepAlive().getEventsList();
    }

    private static List<String> names(Response r) {
        return r.getReadDir().getEntriesList().stream().map(e -> e.getName()).toList();
    }

    private static Request.Builder open(String path, boolean directory) {
        return Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(path).setModeBits(RW)
                .setCreate(Create.CREATE_MAY).setDirectory(directory));
    }

    private static Request.Builder watch(String dir, int eventMask) {
        return Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(dir).setDirectoryWatch(true)
                .setEventMask(eventMask));
    }

    private static Request.Builder readDir(ByteString handle) {
        return Request.newBuilder().setReadDir(ReadDirRequest.newBuilder().setHandle(handle));
    }
}
