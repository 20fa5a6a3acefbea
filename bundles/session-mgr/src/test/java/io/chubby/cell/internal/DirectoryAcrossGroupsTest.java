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
import io.chubby.cell.internal.state.Anchor;
import io.chubby.cell.internal.state.CellState;
import io.chubby.protocol.DeleteRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.testkit.FakeGroupCell;
import com.google.protobuf.ByteString;
import java.util.List;
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
    private final TwoGroups two = new TwoGroups();
    private final FakeGroupCell cell = two.cell;
    private final List<CellHost> hosts = two.hosts;
    private String dir;
    private int c;
    private int h;

    @BeforeEach
    void start() throws Exception {
        two.start();
        dir = TwoGroups.crossingDirectory("d");
        c = TwoGroups.TWO.partitionOf(NodePath.parse(dir));
        h = TwoGroups.TWO.partitionOfChildren(NodePath.parse(dir));
    }

    @AfterEach
    void stop() {
        two.stop();
    }

    private CellServer master(int group) {
        return two.master(group);
    }

    /** Timer steps of every master until the intents of C are done (each step sends the next call). */
    private void driveIntents() {
        for (int i = 0; i < 4; i++) {
            master(c).tick();
        }
    }

    private static Request.Builder open(String path, boolean directory) {
        return TwoGroups.open(path, directory);
    }

    private static Request.Builder delete(ByteString handle) {
        return Request.newBuilder().setDelete(DeleteRequest.newBuilder().setHandle(handle));
    }

    private CellState stateOf(int group) {
        return two.stateOf(group);
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
