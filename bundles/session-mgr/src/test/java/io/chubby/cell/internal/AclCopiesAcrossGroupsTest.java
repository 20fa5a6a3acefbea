package io.chubby.cell.internal;

import static io.chubby.cell.internal.TestClient.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.acl.internal.AclService;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.api.Stat;
import io.chubby.cell.internal.cross.CrossCalls;
import io.chubby.cell.internal.state.AclCopies;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.Result;
import io.chubby.protocol.Create;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetContentsRequest;
import io.chubby.spi.NamespaceView;
import io.chubby.spi.Principal;
import io.chubby.testkit.CapturingConnection;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ACL files held by another partition (docs/PARTITIONING.md section 4.3) through {@link CellHost}:
 * three replicas of two groups, the ACL files in group A and a node {@code S/leader} whose ACL
 * names them in the other group P. The acl bundle's authorizer decides calls in P on P's copies
 * (the decision table of {@code AclDecisionsTest}, on a copy); a write of an ACL file on A's
 * master places a pending copy in P before it is proposed and the final copy after, and its writer
 * is answered only then; a guard decided on the old copy while the copy is pending is refused
 * CELL_UNAVAILABLE; a new master of A re-sends final copies at takeover.
 */
class AclCopiesAcrossGroupsTest {
    private static final Principal ROOT = new Principal("root", Principal.Mechanism.TLS_CERTIFICATE);
    private static final Principal READER = new Principal("reader", Principal.Mechanism.PASSWORD);
    private static final Principal WRITER = new Principal("writer", Principal.Mechanism.PASSWORD);
    private final TwoGroups two = new TwoGroups();
    private final List<String> sent = new ArrayList<>();
    private volatile boolean holdFinals;
    private volatile boolean holdPendings;
    private AclService acl;
    private int a;
    private int p;
    private String leader;
    private TestClient rootInA;

    @BeforeEach
    void start() throws Exception {
        two.start();
        a = AclCopies.aclPartition("c", TwoGroups.TWO);
        p = 1 - a;
        // Records each copy with what A held of the file when it arrived; holds final copies on demand.
        two.crossCalls((g, step) -> {
            if (step instanceof Command.AclCopy c) {
                boolean inA = two.stateOf(a).nodeAt(c.path()) != null;
                sent.add((c.pending() ? "pending " : "final ") + c.path() + " to " + g + (inA ? " (in A)" : ""));
                if ((holdFinals && !c.pending()) || (holdPendings && c.pending())) {
                    return CompletableFuture.<Result>failedFuture(new IllegalStateException("held by the test"));
                }
            }
            return two.inJvm.call(g, step);
        });
        acl = new AclService(null, config());
        two.hosts.forEach(h -> h.addAuthorizer(acl, 0, 1));

        int r = TwoGroups.TWO.partitionOfChildren(NodePath.parse("/ls/c"));
        TestClient rootInR = client(r, ROOT);
        rootInA = client(a, ROOT);
        created(rootInR.callAcross(TwoGroups.open("/ls/c/acl", true), () -> two.tick(4)));
        String dir = dirWithChildrenIn(p);
        created(rootInR.callAcross(TwoGroups.open(dir, true), () -> two.tick(4)));
        writeAcl("/ls/c/acl/r", "reader\nwriter\n");
        writeAcl("/ls/c/acl/w", "writer\n");
        leader = dir + "/leader";
        client(p, ROOT).ok(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(leader).setModeBits(3)
                .setCreate(Create.CREATE_MUST).setReadAcl("r").setWriteAcl("w").setChangeAcl("w")));
    }

    @AfterEach
    void stop() {
        two.stop();
        acl.close();
    }

    private TestClient client(int group, Principal who) {
        TestClient c = new TestClient(two.master(group), new CapturingConnection(who, who.name()));
        c.createSession();
        return c;
    }

    private static void created(Response r) {
        assertNotNull(r, "no answer");
        assertFalse(r.hasError(), () -> r.getError().toString());
    }

    /** The first directory /ls/c/s{i} whose children live in group {@code g}. */
    private static String dirWithChildrenIn(int g) {
        for (int i = 0; ; i++) {
            if (TwoGroups.TWO.partitionOfChildren(NodePath.parse("/ls/c/s" + i)) == g) {
                return "/ls/c/s" + i;
            }
        }
    }

    /**
     * Root writes an ACL file on A's master; the answer, or null while the copies are held. An
     * absent file is created first (an Open that may create an ACL file follows the copy protocol
     * too, so an existing one is opened without create).
     */
    private Response writeAclAsync(String path, String contents) {
        boolean exists = two.stateOf(a).nodeAt(NodePath.parse(path).cellRelative()) != null;
        ByteString h = rootInA.ok(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(path)
                .setModeBits(3).setCreate(exists ? Create.CREATE_NO : Create.CREATE_MAY))).getOpen().getHandle();
        return rootInA.callAcross(Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(h)
                .setContents(ByteString.copyFromUtf8(contents))), () -> two.tick(2));
    }

    private void writeAcl(String path, String contents) {
        created(writeAclAsync(path, contents));
    }

    private static Request.Builder write(ByteString handle, String contents) {
        return Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(handle)
                .setContents(ByteString.copyFromUtf8(contents)));
    }

    private ByteString openLeader(TestClient c) {
        return c.ok(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(leader).setModeBits(3)
                .setCreate(Create.CREATE_NO))).getOpen().getHandle();
    }

    /** Every replica's view of group P reads the ACL file as group A holds it. */
    private void assertCopiedEverywhere(String relative) {
        Stat inA = two.master(a).namespace().stat(relative);
        for (CellHost h : two.hosts) {
            NamespaceView view = h.server(p).namespace();
            Stat copy = view.stat(relative);
            assertEquals(inA.instance(), copy.instance(), relative);
            assertEquals(inA.contentGeneration(), copy.contentGeneration(), relative);
            assertArrayEquals(two.master(a).namespace().contents(relative), view.contents(relative));
            assertFalse(TwoGroups.stateOf(h.server(p)).aclCopies().copyOf(relative).pending());
        }
    }

    @Test
    void decisionsInTheOtherGroupRestOnItsCopies() {
        assertNotEquals(a, p);
        assertNull(TwoGroups.stateOf(two.master(p)).nodeAt("/acl/w"), "P holds no ACL file itself");
        assertCopiedEverywhere("/acl/r");
        assertCopiedEverywhere("/acl/w");
        assertEquals(List.of("r", "w"), two.master(p).namespace().children("/acl").stream()
                .map(e -> e.name()).toList());

        TestClient writer = client(p, WRITER);
        TestClient reader = client(p, READER);
        writer.ok(write(openLeader(writer), "w1"));
        Response refused = reader.call(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(leader)
                .setModeBits(3).setCreate(Create.CREATE_NO)));
        assertError(ErrorCode.PERMISSION_DENIED, refused);
        assertTrue(refused.getError().getMessage().contains("write ACL /ls/c/acl/w"), refused.getError().getMessage());
        reader.ok(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(leader).setModeBits(1)
                .setCreate(Create.CREATE_NO)));

        writeAcl("/ls/c/acl/w", "reader\n");
        assertCopiedEverywhere("/acl/w");
        assertError(ErrorCode.PERMISSION_DENIED, writer.call(Request.newBuilder().setOpen(OpenRequest.newBuilder()
                .setPath(leader).setModeBits(3).setCreate(Create.CREATE_NO))));
        reader.ok(write(openLeader(reader), "r1"));
    }

    @Test
    void theWriteIsProposedAfterEveryPendingCopyAndAnsweredAfterTheFinalOne() {
        sent.clear();
        writeAcl("/ls/c/acl/w", "writer\nreader\n");
        assertEquals(List.of("pending /acl/w to " + p + " (in A)", "final /acl/w to " + p + " (in A)"), sent);
        sent.clear();
        writeAcl("/ls/c/acl/new", "x\n");
        assertEquals(List.of("pending /acl/new to " + p, "final /acl/new to " + p + " (in A)",
                "pending /acl/new to " + p + " (in A)", "final /acl/new to " + p + " (in A)"), sent,
                "the create (its pending copy before A holds the file), then the write");
        assertCopiedEverywhere("/acl/new");

        TestClient writer = client(p, WRITER);
        ByteString h = openLeader(writer);
        holdFinals = true;
        assertNull(writeAclAsync("/ls/c/acl/w", "nobody\n"), "the writer waits for the final copies");
        assertTrue(two.stateOf(p).aclCopies().copyOf("/acl/w").pending());
        // Decided on the old copy (writer listed), refused at apply: the copy is pending.
        Response r = writer.call(write(h, "w2"));
        assertError(ErrorCode.CELL_UNAVAILABLE, r);
        assertTrue(r.getError().getMessage().contains("is being changed"), r.getError().getMessage());

        holdFinals = false;
        two.tick(1);
        Response answered = rootInA.conn.forCall(rootInA.callId);
        created(answered);
        assertCopiedEverywhere("/acl/w");
        assertError(ErrorCode.PERMISSION_DENIED, writer.call(Request.newBuilder().setOpen(OpenRequest.newBuilder()
                .setPath(leader).setModeBits(3).setCreate(Create.CREATE_NO))));
    }

    @Test
    void aNewMasterOfTheAclGroupResendsFinalCopiesAtTakeover() {
        holdFinals = true;
        assertNull(writeAclAsync("/ls/c/acl/w", "nobody\n"));
        assertTrue(two.stateOf(p).aclCopies().copyOf("/acl/w").pending());
        holdFinals = false;

        int old = two.cell.masterOf(a);
        sent.clear();
        two.cell.elect(a, old % 3 + 1);
        assertNotEquals(old, two.cell.masterOf(a));
        two.tick(3); // the new master settles, then re-sends the final copy of every ACL file
        assertTrue(sent.contains("final /acl/w to " + p + " (in A)"), sent.toString());
        assertTrue(sent.contains("final /acl/r to " + p + " (in A)"), sent.toString());
        assertCopiedEverywhere("/acl/w");
        assertArrayEquals("nobody\n".getBytes(StandardCharsets.UTF_8), two.master(p).namespace().contents("/acl/w"));
    }

    @Test
    void aWriteWhosePendingCopiesWereNotPlacedWhenMastershipWasLostIsNeverProposed() {
        int old = two.cell.masterOf(a);
        holdPendings = true;
        assertNull(writeAclAsync("/ls/c/acl/w", "nobody\n"), "the write waits for its pending copy");
        assertFalse(two.stateOf(p).aclCopies().copyOf("/acl/w").pending(), "P has not applied it");
        two.cell.elect(a, old % 3 + 1);
        two.tick(3); // another master of A settles and re-sends final copies
        holdPendings = false;
        two.cell.elect(a, old);
        sent.clear();
        two.tick(3); // the first master again: its held write must stay unproposed
        assertFalse(sent.contains("pending /acl/w to " + p + " (in A)"), sent.toString());
        assertArrayEquals("writer\n".getBytes(StandardCharsets.UTF_8), two.master(a).namespace().contents("/acl/w"));
        assertCopiedEverywhere("/acl/w");
    }

    private static AclService.Config config() {
        return new AclService.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return AclService.Config.class;
            }

            @Override
            public String acl_superusers() {
                return "root";
            }

            @Override
            public boolean acl_anonymous() {
                return false;
            }

            @Override
            public String acl_passwords_file() {
                return "";
            }

            @Override
            public int acl_login_failures_per_minute() {
                return 5;
            }

            @Override
            public int acl_audit_per_second() {
                return 100;
            }
        };
    }
}
