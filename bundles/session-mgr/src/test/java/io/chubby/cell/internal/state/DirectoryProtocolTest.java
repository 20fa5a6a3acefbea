package io.chubby.cell.internal.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.api.PartitionHash;
import io.chubby.cell.internal.master.DirectoryPhases;
import io.chubby.cell.internal.state.Result.DirOutcome.Outcome;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cross-group directory protocol (docs/PARTITIONING.md sections 4.2-4.3) over two groups, C
 * holding directory D's node and H holding its children and anchor, driven step by step: every
 * state reachable from a fresh cell by creating D, creating and deleting D/x, deleting D (each
 * retried once), C's master sending the call of each open intent (twice, so duplicated), H applying
 * any undelivered call in any order (late messages), C proposing the follow-up of any answer in any
 * order, and a master change of C (answers in flight lost, intents resumed from the state) at any
 * point; and for an ephemeral D (REAP_DIR, 4.3): closing D's last handle, H's request to reap it
 * (late ones too), re-opening D and creating D/x racing the reap, each quiet run ending with the
 * requests a new master of C or of H makes at takeover, after which no idle empty D is left. The
 * search is exhaustive within those bounds (a breadth-first walk over distinct states); the
 * invariants are checked in every state (for a reap also: D is deleted only while no handle is open
 * on it), and from every state the protocol is run to quiet to check it always completes.
 */
class DirectoryProtocolTest {
    private static final String CELL = "c";
    private static final Partitions TWO = new Partitions(2, PartitionHash.NAME, PartitionHash.SLOTS);
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();
    /** A directory whose node and children live in different groups (C != H). */
    private static final String D = crossingDirectory();
    private static final NodePath D_PATH = NodePath.parse("/ls/" + CELL + D);
    private static final int C = TWO.partitionOf(D_PATH);
    private static final int H = TWO.partitionOfChildren(D_PATH);
    private static final String CHILD = "/ls/" + CELL + D + "/x";
    private static final int SENDS_PER_PHASE = 2;
    /** Messages in flight at once, both ways together (a bound of the search, as the others). */
    private static final int IN_FLIGHT = 3;

    private final Map<String, Integer> coverage = new TreeMap<>();

    @AfterEach
    void resetBugs() {
        PlantedBugs.reset();
    }

    private static String crossingDirectory() {
        for (int i = 0; ; i++) {
            NodePath p = NodePath.parse("/ls/" + CELL + "/d" + i);
            if (TWO.crossesGroups(p)) {
                return p.cellRelative();
            }
        }
    }

    /**
     * Bounds of one search: how many times each client call is made (a refused call is retried);
     * for an {@code ephemeral} D also how many times its latest handle is closed, H's request to reap
     * it is applied in C, and D is opened again.
     */
    private record Scope(boolean startWithD, int createD, int createChild, int deleteChild, int deleteD,
                         boolean ephemeral, int closeD, int reapRequests, int reopenD) {
        Scope(boolean startWithD, int createD, int createChild, int deleteChild, int deleteD) {
            this(startWithD, createD, createChild, deleteChild, deleteD, false, 0, 0, 0);
        }
    }

    /** D exists and is anchored; a child is created (and deleted) while D is deleted: section 4.2. */
    private static final Scope CHILD_AGAINST_DELETE = new Scope(true, 0, 2, 1, 2);
    /** D is created, deleted and created again, with no child: section 4.3 and re-creation. */
    private static final Scope CREATE_DELETE_RECREATE = new Scope(false, 2, 0, 0, 2);
    /** All of it at once, with less room for duplicates. */
    private static final Scope EVERYTHING_ONCE = new Scope(false, 1, 1, 0, 1);
    /** Ephemeral D exists and is anchored; its last handle closes while a child is created and deleted: 4.3. */
    private static final Scope REAP_AGAINST_CREATE = new Scope(true, 0, 2, 1, 0, true, 1, 1, 1);

    @Test
    void everyInterleavingOfCreateAndDeleteKeepsTheInvariantsAndCompletes() {
        for (Scope scope : List.of(CHILD_AGAINST_DELETE, CREATE_DELETE_RECREATE, EVERYTHING_ONCE,
                REAP_AGAINST_CREATE)) {
            int states = explore(scope);
            assertTrue(states > 100, "explored " + states + " states");
        }
        // The search reached the cases that matter (no vacuous pass).
        for (String c : List.of("delete NOT_EMPTY", "delete DELETED", "create refused: sealed", "child created",
                "child refused: no anchor", "delete refused: pending", "crash", "late DropAnchor", "late SealDir",
                "re-created D", "reap opened", "reap NOT_EMPTY", "reap DELETED", "reap request refused: pending",
                "open refused: reaping", "ephemeral D reaped when quiet")) {
            assertTrue(coverage.getOrDefault(c, 0) > 0, "never reached: " + c + " in " + coverage);
        }
    }

    @Test
    void aSealThatIgnoresChildrenLeavesAnOrphanAndIsCaught() {
        PlantedBugs.sealIgnoresChildren = true;
        AssertionError e = assertThrows(AssertionError.class, () -> explore(CHILD_AGAINST_DELETE));
        assertTrue(e.getMessage().contains("orphan"), e.getMessage());
    }

    @Test
    void aCreateThatIgnoresTheSealLeavesAnOrphanAndIsCaught() {
        PlantedBugs.createIgnoresSeal = true;
        AssertionError e = assertThrows(AssertionError.class, () -> explore(CHILD_AGAINST_DELETE));
        assertTrue(e.getMessage().contains("orphan"), e.getMessage());
    }

    @Test
    void anEphemeralDirectoryThatOutlivesItsLastHandleIsCaught() {
        PlantedBugs.ephemeralsOutliveTheirSessions = true;
        AssertionError e = assertThrows(AssertionError.class, () -> explore(REAP_AGAINST_CREATE));
        assertTrue(e.getMessage().contains("left behind"), e.getMessage());
    }

    @Test
    void oneGroupWritesNoAnchorNorIntent() {
        CellState one = new CellState(CELL);
        long s = 0;
        one.apply(1, 1, CommandCodec.encode(new Command.InitCell(SECRET, 0)));
        one.apply(2, 1, CommandCodec.encode(new Command.CreateSessions(List.of("a"), 0)));
        s = one.sessionIds().get(0);
        one.apply(3, 1, CommandCodec.encode(open(s, "/ls/c" + D, true)));
        one.apply(4, 1, CommandCodec.encode(open(s, CHILD, false)));
        assertTrue(one.directories().isEmpty());
        assertTrue(one.records().stream().noneMatch(r -> r.table().equals(DirectoryTables.ANCHORS)
                || r.table().equals(DirectoryTables.INTENTS)));
    }

    @Test
    void theCommandsRoundTripThroughTheCodec() {
        for (Command c : List.of(new Command.AnchorDir(D, 5, "r", "w", "c", 2, true), new Command.SealDir(D, 5, 9),
                new Command.DropAnchor(D, 5, 9), new Command.DeleteSealedDir(9),
                new Command.DirIntentDone(9, Outcome.NOT_EMPTY))) {
            assertEquals(c, CommandCodec.decode(CommandCodec.encode(c)));
        }
        Result r = new Result.DirOutcome(Outcome.SEALED, 9);
        assertEquals(r, Result.decode(r.encode()));
    }

    // ------------------------------------------------------------------ the search

    private int explore(Scope scope) {
        World start = World.fresh(scope);
        ArrayDeque<World> todo = new ArrayDeque<>(List.of(start));
        Set<String> seen = new HashSet<>(List.of(start.key()));
        while (!todo.isEmpty()) {
            assertTrue(seen.size() < 200_000, "the search is not bounded");
            World w = todo.poll();
            w.check();
            if (w.copy().drainToQuiet()) {
                coverage.merge("ephemeral D reaped when quiet", 1, Integer::sum);
            }
            for (World next : w.successors(coverage)) {
                next.check();
                if (seen.add(next.key())) {
                    todo.add(next);
                }
            }
        }
        System.out.println("DirectoryProtocolTest " + scope + ": " + seen.size() + " states, " + coverage);
        return seen.size();
    }

    private static Command.Open open(long session, String path, boolean directory) {
        return open(session, path, directory, false);
    }

    private static Command.Open open(long session, String path, boolean directory, boolean ephemeral) {
        return new Command.Open(session, path, 0b11, CreateMode.MAY, directory, ephemeral, new byte[0], null, null,
                null, 0, 0, 0);
    }

    /** A call on its way to H, made for an intent as it stood. */
    private record Call(DirIntent at, Command command) {
    }

    /** H's answer on its way to C. */
    private record Answer(DirIntent at, Result result) {
    }

    /** Both groups' states, the messages in flight and what the clients were told. */
    private static final class World {
        Scope scope;
        CellState c;
        CellState h;
        long cSession;
        long hSession;
        List<Call> toH = new ArrayList<>();
        List<Answer> toC = new ArrayList<>();
        Map<String, Integer> sends = new HashMap<>();
        int createD;
        int createChild;
        int deleteChild;
        int deleteD;
        int closeD;
        int reapRequests;
        int reopenD;
        int crashes;
        /** The instance of D whose creation a client was told of (0: none), and instances whose delete it was. */
        long dAcknowledged;
        Set<Long> deletesAcknowledged = new HashSet<>();
        boolean childAcknowledged;
        boolean childDeleted;
        Map<Long, Long> sealedBy = new HashMap<>();
        Map<Long, Integer> deletions = new HashMap<>();

        static World fresh(Scope scope) {
            World w = new World();
            w.scope = scope;
            CellState zero = new CellState(CELL, 0);
            zero.apply(1, 1, CommandCodec.encode(new Command.InitCell(SECRET, 0)));
            zero.apply(2, 1, CommandCodec.encode(new Command.SetPartitions(2, PartitionHash.NAME, PartitionHash.SLOTS)));
            CellState one = new CellState(CELL, 1, TWO);
            one.apply(1, 1, CommandCodec.encode(new Command.InitCell(SECRET, 0, 1)));
            w.c = C == 0 ? zero : one;
            w.h = H == 0 ? zero : one;
            w.cSession = session(w.c);
            w.hSession = session(w.h);
            if (scope.startWithD()) {
                w.applyInC(open(w.cSession, "/ls/" + CELL + D, true, scope.ephemeral()));
                DirIntent i = w.c.directories().intents().get(0);
                w.applyInH(DirectoryPhases.callFor(w.c, i));
                w.applyInC(new Command.DirIntentDone(i.txid(), Outcome.APPLIED));
            }
            return w;
        }

        private static long session(CellState s) {
            Result r = s.apply(s.appliedIndex() + 1, 1,
                    CommandCodec.encode(new Command.CreateSessions(List.of("a"), 0))).result();
            return ((Result.SessionsCreated) r).sessionIds().get(0);
        }

        World copy() {
            World w = new World();
            w.scope = scope;
            w.c = clone(c);
            w.h = clone(h);
            w.cSession = cSession;
            w.hSession = hSession;
            w.toH = new ArrayList<>(toH);
            w.toC = new ArrayList<>(toC);
            w.sends = new HashMap<>(sends);
            w.createD = createD;
            w.createChild = createChild;
            w.deleteChild = deleteChild;
            w.deleteD = deleteD;
            w.closeD = closeD;
            w.reapRequests = reapRequests;
            w.reopenD = reopenD;
            w.crashes = crashes;
            w.dAcknowledged = dAcknowledged;
            w.deletesAcknowledged = new HashSet<>(deletesAcknowledged);
            w.childAcknowledged = childAcknowledged;
            w.childDeleted = childDeleted;
            w.sealedBy = new HashMap<>(sealedBy);
            w.deletions = new HashMap<>(deletions);
            return w;
        }

        private static CellState clone(CellState s) {
            CellState out = new CellState(CELL, s.group(), s.group() == 0 ? null : TWO);
            out.load(s.appliedIndex(), s.records().iterator());
            return out;
        }

        String key() {
            StringBuilder b = new StringBuilder();
            // Log indexes are left out: two states apart only by how many no-op entries were applied behave alike
            // (a txid is only compared with txids already in the state, and every new one is above them all).
            b.append(c.checksum()).append('/').append(h.checksum()).append('/').append(createD).append(createChild).append(deleteChild)
                    .append(deleteD).append(closeD).append(reapRequests).append(reopenD).append(crashes).append('/')
                    .append(dAcknowledged).append(deletesAcknowledged)
                    .append(childAcknowledged).append(childDeleted).append(new TreeMap<>(sends));
            toH.stream().map(m -> m.at() + HexFormat.of().formatHex(CommandCodec.encode(m.command()))).sorted()
                    .forEach(b::append);
            b.append('|');
            toC.stream().map(a -> a.at() + HexFormat.of().formatHex(a.result().encode())).sorted().forEach(b::append);
            return b.toString();
        }

        /** Every state one step away, each recorded in {@code coverage} under the case it reaches. */
        List<World> successors(Map<String, Integer> coverage) {
            List<World> out = new ArrayList<>();
            if (createD < Math.min(1, scope.createD()) || (createD < scope.createD() && c.nodeAt(D) == null)) {
                World w = copy();
                w.createD++;
                Result r = w.applyInC(open(cSession, "/ls/" + CELL + D, true));
                if (createD == 1 && r instanceof Result.Opened o && o.created()) {
                    count(coverage, "re-created D");
                }
                out.add(w);
            }
            if (createChild < Math.min(1, scope.createChild())
                    || (createChild < scope.createChild() && !childAcknowledged)) {
                World w = copy();
                w.createChild++;
                Result r = w.applyInH(open(hSession, CHILD, false));
                if (r instanceof Result.Opened o && o.created()) {
                    w.childAcknowledged = true;
                    count(coverage, "child created");
                } else if (r instanceof Result.Failed f && f.code() == ErrorCode.CELL_UNAVAILABLE) {
                    assertEquals("directory /ls/c" + D + " is being deleted; retry", f.message());
                    count(coverage, "create refused: sealed");
                } else if (r instanceof Result.Failed f && f.code() == ErrorCode.NO_SUCH_NODE) {
                    count(coverage, "child refused: no anchor");
                }
                out.add(w);
            }
            HandleRecord child = handleOn(h, CHILD);
            if (deleteChild < scope.deleteChild() && child != null) {
                World w = copy();
                w.deleteChild++;
                if (w.applyInH(new Command.Delete(hSession, child.handleId())) instanceof Result.Done) {
                    w.childDeleted = true;
                }
                out.add(w);
            }
            HandleRecord dir = handleOn(c, "/ls/" + CELL + D);
            if (deleteD < scope.deleteD() && dir != null) {
                World w = copy();
                w.deleteD++;
                Result r = w.applyInC(new Command.Delete(cSession, dir.handleId()));
                if (r instanceof Result.Failed f && f.code() == ErrorCode.CELL_UNAVAILABLE) {
                    count(coverage, "delete refused: pending");
                }
                out.add(w);
            }
            reapSuccessors(out, coverage, dir);
            for (DirIntent i : c.directories().intents()) {
                String sent = i.txid() + ":" + i.phase();
                if (sends.getOrDefault(sent, 0) < SENDS_PER_PHASE && toH.size() + toC.size() < IN_FLIGHT) {
                    World w = copy();
                    w.sends.merge(sent, 1, Integer::sum);
                    w.toH.add(new Call(i, DirectoryPhases.callFor(c, i)));
                    out.add(w);
                }
            }
            for (int k = 0; k < toH.size(); k++) {
                World w = copy();
                Call call = w.toH.remove(k);
                DirIntent now = c.directories().intent(call.at().txid());
                if (now == null || now.phase() != call.at().phase()) {
                    count(coverage, "late " + call.command().getClass().getSimpleName());
                }
                w.toC.add(new Answer(call.at(), w.applyInH(call.command())));
                out.add(w);
            }
            for (int k = 0; k < toC.size(); k++) {
                World w = copy();
                Answer a = w.toC.remove(k);
                Optional<Command> next = DirectoryPhases.followUp(a.at(), a.result());
                if (next.isPresent() && w.applyInC(next.get()) instanceof Result.DirOutcome o
                        && (o.outcome() == Outcome.NOT_EMPTY || o.outcome() == Outcome.DELETED)) {
                    count(coverage, (a.at().kind() == DirIntent.Kind.REAP_DIR ? "reap " : "delete ") + o.outcome());
                }
                out.add(w);
            }
            if (crashes < 1 && !toC.isEmpty()) {
                World w = copy();
                w.crashes++;
                w.toC.clear(); // the new master of C knows only the state; it resumes each intent from there
                count(coverage, "crash");
                out.add(w);
            }
            return out;
        }

        /**
         * The steps of an ephemeral D's reap: its latest handle closed in C (the last one opens the
         * intent), H's request applied in C (at any time: a late one finds a child, a handle or an
         * intent), and D opened again in C (refused while the reap is open).
         */
        private void reapSuccessors(List<World> out, Map<String, Integer> coverage, HandleRecord dir) {
            if (closeD < scope.closeD() && dir != null) {
                World w = copy();
                w.closeD++;
                int before = w.c.directories().intents().size();
                w.applyInC(new Command.CloseHandle(cSession, dir.handleId()));
                if (w.c.directories().intents().size() > before) {
                    count(coverage, "reap opened");
                }
                out.add(w);
            }
            Anchor a = h.directories().anchor(D_PATH.storageKey());
            if (reapRequests < scope.reapRequests() && a != null && a.ephemeral()) {
                World w = copy();
                w.reapRequests++;
                Result r = w.applyInC(new Command.ReapIfEmpty(D, a.instance()));
                if (r instanceof Result.Failed f && f.code() == ErrorCode.CELL_UNAVAILABLE) {
                    count(coverage, "reap request refused: pending");
                } else if (r instanceof Result.DirOutcome o && o.outcome() == Outcome.INTENT_OPENED) {
                    count(coverage, "reap opened");
                }
                out.add(w);
            }
            if (reopenD < scope.reopenD()) {
                World w = copy();
                w.reopenD++;
                Result r = w.applyInC(open(cSession, "/ls/" + CELL + D, true, scope.ephemeral()));
                if (r instanceof Result.Failed f && f.code() == ErrorCode.CELL_UNAVAILABLE
                        && f.message().contains("ephemeral")) {
                    count(coverage, "open refused: reaping");
                }
                out.add(w);
            }
        }

        private static void count(Map<String, Integer> coverage, String what) {
            coverage.merge(what, 1, Integer::sum);
        }

        private static HandleRecord handleOn(CellState s, String path) {
            Node n = s.nodeAt(NodePath.parse(path).cellRelative());
            if (n == null) {
                return null;
            }
            List<HandleRecord> hs = s.handlesOn(n.instance());
            return hs.isEmpty() ? null : hs.get(hs.size() - 1);
        }

        Result applyInC(Command command) {
            DirIntent before = command instanceof Command.DirIntentDone d ? c.directories().intent(d.txid()) : null;
            Node dBefore = c.nodeAt(D);
            int handlesBefore = dBefore == null ? 0 : c.handlesOn(dBefore.instance()).size();
            Result r = c.apply(c.appliedIndex() + 1, 1, CommandCodec.encode(command)).result();
            if (r instanceof Result.DirOutcome o && o.outcome() == Outcome.DELETED) {
                DirIntent i = c.directories().intent(o.txid());
                if (i.kind() == DirIntent.Kind.REAP_DIR) {
                    assertEquals(0, handlesBefore, "a reap deleted " + D + " with a handle open on it");
                }
                deletions.merge(o.txid(), 1, Integer::sum);
                deletesAcknowledged.add(i.instance());
            }
            if (before != null && r instanceof Result.DirOutcome o && o.outcome() == Outcome.APPLIED
                    && before.kind() == DirIntent.Kind.CREATE_DIR) {
                dAcknowledged = before.instance();
            }
            return r;
        }

        Result applyInH(Command command) {
            return h.apply(h.appliedIndex() + 1, 1, CommandCodec.encode(command)).result();
        }

        /** The invariants of section 4.2, in this state. */
        void check() {
            Node d = c.nodeAt(D);
            if (d == null) {
                assertTrue(h.children(D).isEmpty(), "orphan: " + h.children(D) + " in H while " + D + " is absent in C");
            }
            if (childAcknowledged && !childDeleted) {
                assertEquals(1, h.children(D).size(), "lost create: an acknowledged D/x is gone");
            }
            if (dAcknowledged != 0 && !deletesAcknowledged.contains(dAcknowledged)) {
                assertNotNull(d, "lost create: D's creation was acknowledged and no delete of it was");
                assertEquals(dAcknowledged, d.instance());
            }
            Anchor a = h.directories().anchor(D_PATH.storageKey());
            if (a != null && a.state() == Anchor.State.SEALED) {
                Long was = sealedBy.putIfAbsent(a.instance(), a.sealedBy());
                assertTrue(was == null || was == a.sealedBy(), "anchor resealed by another intent");
            }
            sealedBy.forEach((instance, txid) -> assertTrue(a != null && (a.instance() > instance
                    || a.state() != Anchor.State.LIVE), "a SEALED anchor of instance " + instance + " was unsealed"));
            deletions.forEach((txid, n) -> assertTrue(n <= 1, "DeleteSealedDir of " + txid + " applied " + n + " times"));
        }

        /**
         * What the takeovers ask for (4.3), then the reaps run to their end: C's new master for every
         * idle ephemeral directory of its own, H's for every ephemeral anchor without children. After
         * that no empty ephemeral D with no handle open is left.
         */
        private boolean reapWhenQuiet() {
            List<Command> asked = new ArrayList<>();
            c.directories().idleEphemeralDirectories()
                    .forEach((path, inst) -> asked.add(new Command.ReapIfEmpty(path, inst)));
            Anchor a = h.directories().anchor(D_PATH.storageKey());
            if (a != null && a.ephemeral() && a.state() == Anchor.State.LIVE && h.children(D).isEmpty()) {
                asked.add(new Command.ReapIfEmpty(D, a.instance()));
            }
            boolean present = c.nodeAt(D) != null;
            asked.forEach(this::applyInC);
            driveIntents();
            assertEquals(List.of(), c.directories().intents(), "a reap left open after a quiet run");
            Node d = c.nodeAt(D);
            if (d != null && d.ephemeral() && c.handlesOn(d.instance()).isEmpty()) {
                assertTrue(!h.children(D).isEmpty(), "ephemeral " + D + " left behind: empty, no handle open");
            }
            return present && d == null;
        }

        /**
         * Runs every open intent to its end with no fault: it must end, and leave D and its anchor
         * agreeing. True when D was reaped only by what the takeovers ask for.
         */
        boolean drainToQuiet() {
            for (Call call : toH) {
                applyInH(call.command()); // late copies still arrive
            }
            for (Answer a : toC) {
                DirectoryPhases.followUp(a.at(), a.result()).ifPresent(this::applyInC);
            }
            driveIntents();
            assertEquals(List.of(), c.directories().intents(), "intents left open after a quiet run");
            check();
            boolean reaped = scope.ephemeral() && reapWhenQuiet();
            Node d = c.nodeAt(D);
            Anchor a = h.directories().anchor(D_PATH.storageKey());
            if (d != null) {
                assertEquals(Anchor.State.LIVE, a.state(), "D exists but its anchor is not LIVE");
                assertEquals(d.instance(), a.instance());
            } else {
                assertTrue(a == null || a.state() == Anchor.State.DROPPED, "D is gone but its anchor is " + a);
            }
            return reaped;
        }

        /** C's master sends each open intent's call and proposes the follow-up of the answer, with no fault. */
        private void driveIntents() {
            for (int round = 0; round < 4 && !c.directories().intents().isEmpty(); round++) {
                for (DirIntent i : c.directories().intents()) {
                    Result answer = applyInH(DirectoryPhases.callFor(c, i));
                    Optional<Command> next = DirectoryPhases.followUp(i, answer);
                    next.ifPresent(this::applyInC);
                    check();
                }
            }
        }
    }

    @Test
    void theCrossingDirectoryReallyCrosses() {
        assertNotEquals(C, H);
    }
}
