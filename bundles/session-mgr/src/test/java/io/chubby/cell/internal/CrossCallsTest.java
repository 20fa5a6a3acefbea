package io.chubby.cell.internal;

import static io.chubby.cell.internal.TestClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.api.PartitionHash;
import io.chubby.cell.internal.cross.CrossWire;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.Anchor;
import io.chubby.cell.internal.state.CellState;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.Node;
import io.chubby.cell.internal.state.Partitions;
import io.chubby.cell.internal.state.Result;
import io.chubby.protocol.CloseRequest;
import io.chubby.protocol.CloseSessionRequest;
import io.chubby.protocol.Create;
import io.chubby.protocol.DeleteRequest;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.peer.CrossRequest;
import io.chubby.protocol.peer.PeerMessage;
import io.chubby.spi.Authorizer;
import io.chubby.testkit.Await;
import io.chubby.testkit.FakeGroupCell;
import io.chubby.testkit.MemoryNetwork;
import io.chubby.testkit.MutableClock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cross-group channel between replicas (docs/PARTITIONING.md 4.4, step 12): three replicas of
 * four testkit groups, each group mastered by another replica than the next, every host on its
 * default channel ({@code PeerCrossCalls} / {@code CrossEndpoint}), the cross messages carried as
 * peer 1.4 bytes over a {@link MemoryNetwork} on a delivery thread of its own. Directories whose
 * node (C) and children (H) are mastered by different replicas are made, filled, refused as not
 * empty, emptied, deleted and made again while the network loses and duplicates messages; after
 * every call no child is without its directory, and at the end every acknowledged create is there
 * and every directory agrees with its anchor. Bad cross requests get typed answers and change nothing.
 * A create under a file or nothing of another group is answered as in one partition (ResolveDir),
 * and ephemeral directories whose children live elsewhere are reaped as in one partition (REAP_DIR),
 * also over lossy links, several at one session's end, and when C's master is replaced before it
 * asked for the reaps that session's end deferred.
 */
class CrossCallsTest {
    private static final int RW = 3;
    private static final int GROUPS = 4;
    private static final Partitions FOUR = new Partitions(GROUPS, PartitionHash.NAME, PartitionHash.SLOTS);
    private final ThreeHosts three = new ThreeHosts();
    private final MutableClock clock = three.clock;
    private final FakeGroupCell cell = three.cell;
    private final MemoryNetwork net = new MemoryNetwork();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cross-net");
        t.setDaemon(true);
        return t;
    });
    private final List<CellHost> hosts = three.hosts;
    private final Map<Integer, TestClient> clients = new LinkedHashMap<>();

    @BeforeEach
    void start() throws Exception {
        net.deliverOn(delivery);
        cell.carryCrossOver(net);
        three.start(5, h -> h.crossTimeoutMillis(100));
        three.partition(GROUPS); // masters 1, 2, 3, 1: neighbouring groups on different replicas
    }

    @AfterEach
    void stop() {
        three.stop();
        delivery.shutdownNow();
    }

    /** Directories whose node and children live in groups mastered by different replicas, one per (C, H) pair. */
    private List<String> crossingDirectories(int count) {
        Map<String, String> byPair = new LinkedHashMap<>();
        for (int i = 0; byPair.size() < count; i++) {
            NodePath p = NodePath.parse("/ls/c/d" + i);
            int c = FOUR.partitionOf(p);
            int h = FOUR.partitionOfChildren(p);
            if (c != h && cell.masterOf(c) != cell.masterOf(h)) {
                byPair.putIfAbsent(c + ">" + h, p.toString());
            }
        }
        return List.copyOf(byPair.values());
    }

    @Test
    void crossingDirectoriesAreMadeAndDeletedOverLinksThatLoseAndDuplicate() {
        net.faults(new Random(18_12), 0.2, 0.2);
        List<String> dirs = crossingDirectories(3);
        for (int round = 0; round < 2; round++) {
            for (String dir : dirs) {
                int c = FOUR.partitionOf(NodePath.parse(dir));
                int h = FOUR.partitionOfChildren(NodePath.parse(dir));
                assertNotEquals(cell.masterOf(c), cell.masterOf(h));
                TestClient inC = client(c);
                TestClient inH = client(h);

                Response made = across(c, inC, open(dir, true));
                assertFalse(made.hasError(), () -> made.getError().toString());
                checkNoOrphan(dir);
                ByteString d = made.getOpen().getHandle();
                List<ByteString> files = new ArrayList<>();
                for (int k = 0; k < 2; k++) {
                    files.add(inH.ok(open(dir + "/f" + k, false)).getOpen().getHandle());
                    checkNoOrphan(dir);
                }
                if (round > 0) {
                    files.add(inH.ok(open(dir + "/keep" + (round - 1), false)).getOpen().getHandle()); // exists
                }
                assertError(ErrorCode.NOT_EMPTY, across(c, inC, delete(d)));
                checkNoOrphan(dir);
                for (ByteString f : files) {
                    inH.ok(delete(f));
                }
                Response gone = across(c, inC, delete(d));
                assertFalse(gone.hasError(), () -> gone.getError().toString());
                checkNoOrphan(dir);
                assertNull(state(c).nodeAt(relative(dir)));
                // Answered at the delete (its linearization point); until H drops the sealed anchor a
                // create in D is refused "retry", after that NO_SUCH_NODE (once C's ResolveDir says D
                // is absent: an answer that comes later): never created.
                Await.until("a create in deleted " + dir + " refused for good", () -> {
                    master(c).tick();
                    Response late = inH.callAcross(open(dir + "/late", false), () -> Await.until("an answer",
                            () -> inH.conn.forCall(inH.callId) != null));
                    if (late.hasError() && late.getError().getCode() == ErrorCode.CELL_UNAVAILABLE.wire()) {
                        return false;
                    }
                    assertError(ErrorCode.NO_SUCH_NODE, late);
                    return true;
                });

                Response again = across(c, inC, open(dir, true));
                assertFalse(again.hasError(), () -> again.getError().toString());
                Response kept = inH.call(open(dir + "/keep" + round, false));
                int r0 = round;
                assertFalse(kept.hasError(), () -> "round " + r0 + " " + dir + " " + kept.getError() + " created "
                        + again.getOpen().getCreated() + " anchor " + state(h).directories().anchor(
                        NodePath.parse(dir).storageKey()) + " node " + state(c).nodeAt(relative(dir))
                        + " intents " + state(c).directories().intents());
                checkNoOrphan(dir);
                if (round == 0) {
                    assertError(ErrorCode.NOT_EMPTY, across(c, inC, delete(again.getOpen().getHandle()))); // keep0 stays
                }
            }
            if (round == 0) {
                for (int g = 0; g < GROUPS; g++) {
                    cell.elect(g, cell.masterOf(g) % 3 + 1); // every master moves on by one; the channel follows
                }
                clock.advance(63_000); // past the new masters' takeover wait (the sessions of round 0 end)
                for (int g = 0; g < GROUPS; g++) {
                    master(g).tick();
                }
                clients.clear();
            }
        }
        Await.until("every intent ended (the masters' timers drive them)", () -> {
            boolean quiet = true;
            for (int g = 0; g < GROUPS; g++) {
                master(g).tick();
                quiet &= state(g).directories().intents().isEmpty();
            }
            return quiet;
        });
        for (String dir : dirs) {
            int c = FOUR.partitionOf(NodePath.parse(dir));
            int h = FOUR.partitionOfChildren(NodePath.parse(dir));
            Node node = state(c).nodeAt(relative(dir));
            assertNotNull(node, "acknowledged create of " + dir + " lost");
            Anchor a = state(h).directories().anchor(NodePath.parse(dir).storageKey());
            assertEquals(Anchor.State.LIVE, a.state(), dir);
            assertEquals(node.instance(), a.instance(), dir);
            assertNotNull(state(h).nodeAt(relative(dir + "/keep1")), "acknowledged create of " + dir + "/keep1 lost");
            assertEquals(List.of("keep1"), state(h).children(relative(dir)).stream().map(e -> e.name()).toList());
        }
        assertTrue(net.lost() > 0 && net.duplicated() > 0, "lost " + net.lost() + ", duplicated " + net.duplicated());
        sameStateOnEveryReplica();
    }

    @Test
    void badCrossRequestsGetTypedAnswersAndChangeNothing() {
        Map<Long, CrossWire.Reply> answers = new ConcurrentHashMap<>();
        net.onSend((from, bytes) -> {
            if (from != 1 && CrossWire.decode(bytes) instanceof CrossWire.Reply r) {
                answers.put(r.callId(), r);
            }
        });
        int logBefore = cell.logLength(1);
        assertEquals(2, cell.masterOf(1));

        cell.replica(1).sendCross(2, new byte[] {1, 2, 3}); // not even a message: dropped, no call id to answer
        cell.replica(1).sendCross(2, raw(1, 70, new byte[] {(byte) 19, 1})); // a step cut short
        cell.replica(1).sendCross(2, raw(9, 71, step(new Command.SealDir("/d", 1, 1)))); // no group 9 of four
        cell.replica(1).sendCross(2, raw(1, 72, step(new Command.SetPartitions(8, PartitionHash.NAME,
                PartitionHash.SLOTS)))); // not a cross step
        cell.replica(1).sendCross(3, raw(1, 73, step(new Command.SealDir("/d", 1, 1)))); // 3 is not group 1's master
        cell.replica(1).sendCross(2, raw(1, 74, step(new Command.SealDir("/nothing", 1, 1)))); // well-formed

        Await.until("answers to calls 70-74", () -> answers.keySet().containsAll(List.of(70L, 71L, 72L, 73L, 74L)));
        for (long id : List.of(70L, 71L, 72L)) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, answers.get(id).error().code(), answers.get(id).toString());
        }
        assertEquals(ErrorCode.NOT_MASTER, answers.get(73L).error().code());
        assertEquals(2, answers.get(73L).masterHint());
        assertEquals(new Result.DirOutcome(Result.DirOutcome.Outcome.GONE, 1), answers.get(74L).result());
        assertEquals(logBefore + 1, cell.logLength(1)); // only call 74's step was proposed

        // The channel still works after all that.
        String dir = crossingDirectories(1).get(0);
        int c = FOUR.partitionOf(NodePath.parse(dir));
        Response made = across(c, client(c), open(dir, true));
        assertFalse(made.hasError(), () -> made.getError().toString());
        hosts.forEach(x -> Await.until("no cross call left waiting", () -> x.crossCallsWaiting() == 0));
    }

    @Test
    void crossStepsActAsTheCellAndNoFilterOrAuthorizerSeesThem() {
        String dir = crossingDirectories(1).get(0);
        int c = FOUR.partitionOf(NodePath.parse(dir));
        int h = FOUR.partitionOfChildren(NodePath.parse(dir));
        Map<Integer, List<String>> seen = new ConcurrentHashMap<>();
        for (int r = 1; r <= hosts.size(); r++) {
            List<String> mine = java.util.Collections.synchronizedList(new ArrayList<>());
            seen.put(r, mine);
            hosts.get(r - 1).addFilter(req -> mine.add("filter " + req), 0, 1);
            hosts.get(r - 1).addAuthorizer((req, ns) -> {
                mine.add("authorizer " + req);
                return Authorizer.Decision.allow();
            }, 0, 2);
        }
        int hLog = cell.logLength(h);
        TestClient inC = client(c);

        Response made = across(c, inC, open(dir, true));
        assertFalse(made.hasError(), () -> made.getError().toString());
        assertEquals(Anchor.State.LIVE, state(h).directories().anchor(NodePath.parse(dir).storageKey()).state());
        Response gone = across(c, inC, delete(made.getOpen().getHandle()));
        assertFalse(gone.hasError(), () -> gone.getError().toString());
        Await.until("the delete's intent ended", () -> {
            master(c).tick();
            return state(c).directories().intents().isEmpty();
        });

        assertEquals(Anchor.State.DROPPED, state(h).directories().anchor(NodePath.parse(dir).storageKey()).state());
        assertTrue(cell.logLength(h) >= hLog + 3, "anchor, seal and drop proposed in H"); // by the cell itself
        assertEquals(List.of(), seen.get(cell.masterOf(h)), "H's master ran no client call");
        assertTrue(seen.get(cell.masterOf(c)).stream().anyMatch(x -> x.startsWith("authorizer")),
                () -> "the plugins saw the client's calls in C: " + seen.get(cell.masterOf(c)));
    }

    @Test
    void aCreateUnderAFileOrUnderNothingOfAnotherGroupIsAnsweredAsInOnePartition() {
        Crossing x = crossing();
        String name = x.dir();
        int c = x.c();
        int h = x.h();
        TestClient inC = x.inC();
        TestClient inH = x.inH();

        long cBefore = master(c).stateMachine().checksum();
        assertError(ErrorCode.NO_SUCH_NODE, across(h, inH, open(name + "/x", false)));
        assertEquals(cBefore, master(c).stateMachine().checksum(), "ResolveDir changed nothing in C");
        inC.ok(open(name, false)); // a file: it has no anchor in H
        long withFile = master(c).stateMachine().checksum();
        Response under = across(h, inH, open(name + "/x", false));
        assertError(ErrorCode.NOT_A_DIRECTORY, under);
        assertTrue(under.getError().getMessage().contains("is a file"), under.getError().getMessage());
        assertError(ErrorCode.NOT_A_DIRECTORY, across(h, inH, open(name + "/y", true)));
        assertEquals(withFile, master(c).stateMachine().checksum(), "ResolveDir changed nothing in C");
        assertTrue(state(h).children(relative(name)).isEmpty(), "nothing created under the file");
        sameStateOnEveryReplica();
    }

    @ParameterizedTest(name = "links losing and duplicating messages: {0}")
    @ValueSource(booleans = {false, true})
    void anEphemeralCrossingDirectoryGoesWithItsLastChildAndIsKeptWhileItHasOne(boolean lossy) {
        if (lossy) {
            net.faults(new Random(18_26), 0.2, 0.2);
        }
        Crossing x = crossing();
        String dir = x.dir();
        int c = x.c();
        int h = x.h();
        TestClient inH = x.inH();
        ByteString d = madeEphemeral(c, x.inC(), dir);
        ByteString f = inH.ok(open(dir + "/f", false)).getOpen().getHandle();

        x.inC().ok(close(d)); // the last handle: a reap starts, and H's seal answers NOT_EMPTY
        awaitNoIntent();
        assertNotNull(state(c).nodeAt(relative(dir)), "an ephemeral directory with a child was reaped");
        assertEquals(Anchor.State.LIVE, anchorOf(dir).state());
        checkNoOrphan(dir);

        inH.ok(delete(f)); // its last child: H asks C to reap it
        awaitReaped(dir);
        checkNoOrphan(dir);
        assertError(ErrorCode.NO_SUCH_NODE, across(h, inH, open(dir + "/late", false)));
        sameStateOnEveryReplica();
        assertTrue(!lossy || net.lost() > 0 && net.duplicated() > 0, "lost " + net.lost() + ", duplicated "
                + net.duplicated());
    }

    @Test
    void anEmptyEphemeralCrossingDirectoryGoesWithItsLastHandleAndOneWithAFileStays() {
        List<String> dirs = crossingDirectories(2);
        String empty = dirs.get(0);
        String full = dirs.get(1);
        int cEmpty = FOUR.partitionOf(NodePath.parse(empty));
        int cFull = FOUR.partitionOf(NodePath.parse(full));
        ByteString e = madeEphemeral(cEmpty, client(cEmpty), empty);
        ByteString d = madeEphemeral(cFull, client(cFull), full);
        TestClient inH = client(FOUR.partitionOfChildren(NodePath.parse(full)));
        inH.ok(close(inH.ok(open(full + "/kept", false)).getOpen().getHandle()));

        client(cEmpty).ok(close(e));
        awaitReaped(empty);
        client(cFull).ok(close(d));
        awaitNoIntent();
        assertNotNull(state(cFull).nodeAt(relative(full)), "an ephemeral directory with a file was reaped");
        assertEquals(Anchor.State.LIVE, anchorOf(full).state());
        assertNotNull(state(FOUR.partitionOfChildren(NodePath.parse(full))).nodeAt(relative(full + "/kept")));
        checkNoOrphan(full);
        checkNoOrphan(empty);
        sameStateOnEveryReplica();
    }

    @Test
    void anEphemeralCrossingDirectoryAndItsEphemeralChildGoWhenTheSessionEnds() {
        Crossing x = crossing();
        String dir = x.dir();
        int c = x.c();
        int h = x.h();
        madeEphemeral(c, x.inC(), dir);
        x.inH().ok(ephemeral(open(dir + "/e", false)));

        x.inC().ok(Request.newBuilder().setCloseSession(CloseSessionRequest.newBuilder())); // its child is still there
        awaitNoIntent();
        assertNotNull(state(c).nodeAt(relative(dir)));
        x.inH().ok(Request.newBuilder().setCloseSession(CloseSessionRequest.newBuilder())); // the child goes, then D
        assertNull(state(h).nodeAt(relative(dir + "/e")));
        awaitReaped(dir);
        checkNoOrphan(dir);
        sameStateOnEveryReplica();
    }

    /**
     * One session's end closes the last handle of several empty ephemeral directories of one group
     * C, over links that lose and duplicate messages: the EndSession opens one reap and defers the
     * others to C's master, which asks for them. With {@code failover}, C's master is replaced
     * between that apply and its asking: the new master's takeover finds them (4.3 as built).
     */
    @ParameterizedTest(name = "C's master replaced before it asked for the deferred reaps: {0}")
    @ValueSource(booleans = {false, true})
    void severalEphemeralCrossingDirectoriesGoWhenTheirSessionEndsOverLinksThatLoseAndDuplicate(boolean failover) {
        net.faults(new Random(18_27), 0.2, 0.2);
        List<String> dirs = crossingDirectoriesOfOneGroup(3);
        int c = FOUR.partitionOf(NodePath.parse(dirs.get(0)));
        TestClient inC = client(c);
        for (String dir : dirs) {
            madeEphemeral(c, inC, dir);
        }
        long logBefore = cell.logLength(c);

        inC.ok(Request.newBuilder().setCloseSession(CloseSessionRequest.newBuilder()));
        assertEquals(1, state(c).directories().intents().size(), "the EndSession opened one reap");
        assertEquals(logBefore + 1, cell.logLength(c), "nothing asked for the deferred reaps yet");
        if (failover) {
            cell.elect(c, cell.masterOf(c) % 3 + 1); // the master that deferred them never asks
            clients.remove(c);
        }
        for (String dir : dirs) {
            awaitReaped(dir);
            checkNoOrphan(dir);
        }
        awaitNoIntent();
        sameStateOnEveryReplica();
        assertTrue(net.lost() > 0 && net.duplicated() > 0, "lost " + net.lost() + ", duplicated " + net.duplicated());
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Directories whose nodes all live in one group C and whose children live in groups mastered by
     * other replicas than C's.
     */
    private List<String> crossingDirectoriesOfOneGroup(int count) {
        List<String> out = new ArrayList<>();
        int c = -1;
        for (int i = 0; out.size() < count; i++) {
            NodePath p = NodePath.parse("/ls/c/e" + i);
            int h = FOUR.partitionOfChildren(p);
            if (FOUR.partitionOf(p) != h && cell.masterOf(FOUR.partitionOf(p)) != cell.masterOf(h)
                    && (c == -1 || FOUR.partitionOf(p) == c)) {
                c = FOUR.partitionOf(p);
                out.add(p.toString());
            }
        }
        return out;
    }

    /** A directory whose node (in C) and children (in H) live in groups mastered by different replicas. */
    private record Crossing(String dir, int c, int h, TestClient inC, TestClient inH) {
    }

    /** The first such directory, with a client of a session in each of its two groups. */
    private Crossing crossing() {
        String dir = crossingDirectories(1).get(0);
        int c = FOUR.partitionOf(NodePath.parse(dir));
        int h = FOUR.partitionOfChildren(NodePath.parse(dir));
        return new Crossing(dir, c, h, client(c), client(h));
    }

    /** Creates ephemeral directory {@code dir} in {@code c} (answered once H holds its anchor): its handle. */
    private ByteString madeEphemeral(int c, TestClient inC, String dir) {
        Response made = across(c, inC, ephemeral(open(dir, true)));
        assertFalse(made.hasError(), () -> made.getError().toString());
        assertTrue(anchorOf(dir).ephemeral());
        return made.getOpen().getHandle();
    }

    private Anchor anchorOf(String dir) {
        return state(FOUR.partitionOfChildren(NodePath.parse(dir))).directories().anchor(NodePath.parse(dir)
                .storageKey());
    }

    /** Steps every master's timer until no group has an open intent. */
    private void awaitNoIntent() {
        Await.until("every intent ended", () -> {
            boolean quiet = true;
            for (int g = 0; g < GROUPS; g++) {
                master(g).tick();
                quiet &= state(g).directories().intents().isEmpty();
            }
            return quiet;
        });
    }

    /** Steps every master's timer until {@code dir} is gone from C, its anchor dropped and its intent ended. */
    private void awaitReaped(String dir) {
        int c = FOUR.partitionOf(NodePath.parse(dir));
        Await.until(dir + " reaped", () -> {
            for (int g = 0; g < GROUPS; g++) {
                master(g).tick();
            }
            return state(c).nodeAt(relative(dir)) == null && anchorOf(dir).state() == Anchor.State.DROPPED
                    && state(c).directories().intents().isEmpty();
        });
    }

    private static Request.Builder ephemeral(Request.Builder open) {
        open.getOpenBuilder().setEphemeral(true);
        return open;
    }

    private static Request.Builder close(ByteString handle) {
        return Request.newBuilder().setClose(CloseRequest.newBuilder().setHandle(handle));
    }

    private static byte[] step(Command c) {
        return io.chubby.cell.internal.state.CommandCodec.encode(c);
    }

    private static byte[] raw(int toGroup, long callId, byte[] step) {
        return PeerMessage.newBuilder().setCrossRequest(CrossRequest.newBuilder().setToGroup(toGroup)
                .setCallId(callId).setStep(ByteString.copyFrom(step))).build().toByteArray();
    }

    /** A client with a session on the current master of {@code group}. */
    private TestClient client(int group) {
        return clients.computeIfAbsent(group, g -> {
            TestClient t = new TestClient(master(g));
            t.createSession();
            return t;
        });
    }

    /**
     * Sends a call that may open an intent in {@code c} and steps C's master's timer until it is
     * answered; sent again while refused CELL_UNAVAILABLE (nothing applied: an intent of the previous
     * instance still open), as a client does.
     */
    private Response across(int c, TestClient client, Request.Builder req) {
        while (true) {
            Response r = client.callAcross(req.clone(), () -> Await.until("answer to call " + (client.callId + 1),
                    () -> {
                        master(c).tick();
                        return client.conn.forCall(client.callId) != null;
                    }));
            if (!r.hasError() || r.getError().getCode() != ErrorCode.CELL_UNAVAILABLE.wire()) {
                return r;
            }
        }
    }

    /** No child of {@code dir} in H without D in C and its LIVE anchor of D's instance. */
    private void checkNoOrphan(String dir) {
        int c = FOUR.partitionOf(NodePath.parse(dir));
        int h = FOUR.partitionOfChildren(NodePath.parse(dir));
        for (CellHost host : hosts) {
            CellState inH = stateOn(host, h);
            if (inH.children(relative(dir)).isEmpty()) {
                continue;
            }
            Anchor a = inH.directories().anchor(NodePath.parse(dir).storageKey());
            assertNotNull(a, "children of " + dir + " without an anchor");
            assertEquals(Anchor.State.LIVE, a.state(), "children of " + dir + " under a " + a.state() + " anchor");
            Node d = state(c).nodeAt(relative(dir));
            assertNotNull(d, "orphan children of " + dir);
            assertEquals(d.instance(), a.instance(), "children of " + dir + " under another instance's anchor");
        }
    }

    private void sameStateOnEveryReplica() {
        for (int g = 0; g < GROUPS; g++) {
            long expected = master(g).stateMachine().checksum();
            for (CellHost host : hosts) {
                assertEquals(expected, host.server(g).stateMachine().checksum(), "group " + g);
            }
        }
    }

    private CellServer master(int group) {
        return hosts.get(cell.masterOf(group) - 1).server(group);
    }

    private CellState state(int group) {
        return ((CellStateMachine) master(group).stateMachine()).read(s -> s);
    }

    private static CellState stateOn(CellHost host, int group) {
        return ((CellStateMachine) host.server(group).stateMachine()).read(s -> s);
    }

    private static Request.Builder open(String path, boolean directory) {
        return Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(path).setModeBits(RW)
                .setCreate(Create.CREATE_MAY).setDirectory(directory));
    }

    private static Request.Builder delete(ByteString handle) {
        return Request.newBuilder().setDelete(DeleteRequest.newBuilder().setHandle(handle));
    }

    private static String relative(String path) {
        return NodePath.parse(path).cellRelative();
    }
}
