package io.chubby.cell.internal;

import static io.chubby.cell.internal.TestClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.api.PartitionHash;
import io.chubby.cell.internal.cross.LocalCrossCalls;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.cell.internal.state.Anchor;
import io.chubby.cell.internal.state.CellState;
import io.chubby.cell.internal.state.Partitions;
import io.chubby.protocol.Create;
import io.chubby.protocol.DeleteRequest;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.testkit.Await;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.FakeGroupCell;
import io.chubby.testkit.MemoryStateStores;
import io.chubby.testkit.MutableClock;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Directories across groups through {@link CellHost} (docs/PARTITIONING.md step 8): three replicas
 * of two testkit groups, directory D's node in group C and its children in group H, mastered by
 * different replicas; the masters' cross calls travel over one in-JVM {@link LocalCrossCalls}.
 * Create D (answered once H holds its anchor), create D/x in H, delete D refused NOT_EMPTY, delete
 * D/x, delete D, re-create D and a child in it.
 */
class DirectoryAcrossGroupsTest {
    private static final int RW = 3;
    private static final Partitions TWO = new Partitions(2, PartitionHash.NAME, PartitionHash.SLOTS);
    private final MutableClock clock = new MutableClock();
    private final CellSettings settings = new CellSettings("c", 1024, 12_000, 60_000, 1_000, 0);
    private final FakeGroupCell cell = new FakeGroupCell(FakeConsensus.THREE_REPLICAS);
    private final List<MemoryStateStores> stores = List.of(new MemoryStateStores(), new MemoryStateStores(),
            new MemoryStateStores());
    private final List<CellHost> hosts = new ArrayList<>();
    private String dir;
    private int c;
    private int h;

    @BeforeEach
    void start() throws Exception {
        for (int r = 1; r <= 3; r++) {
            CellHost host = new CellHost(cell.replica(r).open(0), stores.get(r - 1).group(0), cell.replica(r),
                    stores.get(r - 1), settings, clock, new Random(r));
            host.start();
            hosts.add(host);
            cell.replica(r).announcePeerMinors(Map.of(1, 3, 2, 3, 3, 3));
        }
        LocalCrossCalls inJvm = new LocalCrossCalls(g -> hosts.stream().map(x -> x.localTarget(g))
                .filter(t -> t != null && t.master()).findFirst().orElse(null));
        hosts.forEach(x -> x.crossCalls(inJvm));
        cell.elect(0, 1);
        hosts.get(0).recordPartitions(2).get(10, TimeUnit.SECONDS);
        hosts.forEach(x -> Await.until("two groups open", () -> x.openGroups().equals(List.of(0, 1))));
        cell.elect(1, 2); // group 1 mastered by another replica than group 0
        for (int i = 0; ; i++) {
            NodePath p = NodePath.parse("/ls/c/d" + i);
            if (TWO.crossesGroups(p)) {
                dir = p.toString();
                c = TWO.partitionOf(p);
                h = TWO.partitionOfChildren(p);
                break;
            }
        }
    }

    @AfterEach
    void stop() {
        hosts.forEach(CellHost::stop);
    }

    private CellServer master(int group) {
        return hosts.get(cell.masterOf(group) - 1).server(group);
    }

    /** Timer steps of every master until the intents of C are done (each step sends the next call). */
    private void driveIntents() {
        for (int i = 0; i < 4; i++) {
            master(c).tick();
        }
    }

    private static Request.Builder open(String path, boolean directory) {
        return Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(path).setModeBits(RW)
                .setCreate(Create.CREATE_MAY).setDirectory(directory));
    }

    private static Request.Builder delete(ByteString handle) {
        return Request.newBuilder().setDelete(DeleteRequest.newBuilder().setHandle(handle));
    }

    private CellState stateOf(int group) {
        return master(group).stateMachine() instanceof io.chubby.cell.internal.replica.CellStateMachine m
                ? m.read(s -> s) : null;
    }

    @Test
    void createDeleteRefusedDeleteAndRecreateADirectoryWhoseChildrenLiveInAnotherGroup() {
        assertNotEquals(c, h);
        TestClient inC = new TestClient(master(c));
        TestClient inH = new TestClient(master(h));
        inC.createSession();
        inH.createSession();

        Response made = inC.callAcross(open(dir, true), this::driveIntents);
        assertFalse(made.hasError(), () -> made.getError().toString());
        assertTrue(made.getOpen().getCreated());
        ByteString d = made.getOpen().getHandle();
        Anchor a = anchor();
        assertEquals(Anchor.State.LIVE, a.state());
        assertEquals(made.getOpen().getStat().getInstance(), a.instance());

        ByteString x = inH.ok(open(dir + "/x", false)).getOpen().getHandle();
        assertError(ErrorCode.NOT_EMPTY, inC.callAcross(delete(d), this::driveIntents));
        assertEquals(Anchor.State.LIVE, anchor().state());
        assertNotNull(master(c).namespace().stat(relative(dir)));

        inH.ok(delete(x));
        Response gone = inC.callAcross(delete(d), () -> {
            // Applied in C as an intent: no answer until H sealed the anchor and C deleted the node.
            assertNull(inC.conn.forCall(inC.callId));
            assertEquals(1, stateOf(c).directories().intents().size());
            driveIntents();
        });
        assertFalse(gone.hasError(), () -> gone.getError().toString());
        assertNull(master(c).namespace().stat(relative(dir)));
        assertEquals(Anchor.State.DROPPED, anchor().state());
        assertEquals(List.of(), stateOf(c).directories().intents());
        assertError(ErrorCode.NO_SUCH_NODE, inH.call(open(dir + "/y", false)));

        Response again = inC.callAcross(open(dir, true), this::driveIntents);
        assertFalse(again.hasError(), () -> again.getError().toString());
        assertEquals(Anchor.State.LIVE, anchor().state());
        assertEquals(again.getOpen().getStat().getInstance(), anchor().instance());
        inH.ok(open(dir + "/y", false));

        for (int g = 0; g < 2; g++) {
            for (int r = 1; r <= 3; r++) {
                assertEquals(master(g).stateMachine().checksum(), hosts.get(r - 1).server(g).stateMachine().checksum(),
                        "group " + g + " on replica " + r);
            }
        }
    }

    @Test
    void aNewMasterOfCResumesADeleteFromTheIntentTable() {
        TestClient inC = new TestClient(master(c));
        inC.createSession();
        ByteString d = inC.callAcross(open(dir, true), this::driveIntents).getOpen().getHandle();
        inC.callAcross(delete(d), () -> { }); // the intent is applied; its master never drives it
        assertEquals(1, stateOf(c).directories().intents().size());

        int old = cell.masterOf(c);
        cell.elect(c, old % 3 + 1);
        assertNotEquals(old, cell.masterOf(c));
        driveIntents(); // the new master knows only the replicated table
        assertNull(master(c).namespace().stat(relative(dir)));
        assertEquals(Anchor.State.DROPPED, anchor().state());
        assertEquals(List.of(), stateOf(c).directories().intents());
    }

    private Anchor anchor() {
        return stateOf(h).directories().anchor(NodePath.parse(dir).storageKey());
    }

    private static String relative(String path) {
        return NodePath.parse(path).cellRelative();
    }
}
