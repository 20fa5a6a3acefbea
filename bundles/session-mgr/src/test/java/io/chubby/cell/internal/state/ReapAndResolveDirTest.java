package io.chubby.cell.internal.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.api.PartitionHash;
import io.chubby.cell.internal.master.DirectoryPhases;
import io.chubby.cell.internal.state.Result.DirOutcome.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two directory crossings of docs/PARTITIONING.md 4.3 built on the intents of 4.2, step by step
 * on two groups' states: ResolveDir (C says what a directory without an anchor in H is, changing
 * nothing) and REAP_DIR (an ephemeral directory whose children live in H is deleted by C once H
 * sealed it empty, and only while no handle is open on it; a create racing the seal is refused
 * "retry" and then finds the directory gone; an entry that would open several reaps defers the rest,
 * which a new master of C finds again).
 */
class ReapAndResolveDirTest {
    private static final String CELL = "c";
    private static final Partitions TWO = new Partitions(2, PartitionHash.NAME, PartitionHash.SLOTS);
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();
    private static final List<String> CROSSING = crossing(2);
    private static final String D = CROSSING.get(0);
    private static final int C = TWO.partitionOf(abs(D));

    private CellState c;
    private CellState h;
    private long cSession;
    private long hSession;

    @BeforeEach
    void twoGroups() {
        CellState zero = new CellState(CELL, 0);
        zero.apply(1, 1, CommandCodec.encode(new Command.InitCell(SECRET, 0)));
        zero.apply(2, 1, CommandCodec.encode(new Command.SetPartitions(2, PartitionHash.NAME, PartitionHash.SLOTS)));
        CellState one = new CellState(CELL, 1, TWO);
        one.apply(1, 1, CommandCodec.encode(new Command.InitCell(SECRET, 0, 1)));
        c = C == 0 ? zero : one;
        h = C == 0 ? one : zero;
        cSession = session(c);
        hSession = session(h);
    }

    @Test
    void resolveDirSaysWhatTheNodeIsAndChangesNothing() {
        long before = c.checksum();
        assertEquals(Outcome.NO_NODE, resolve(D));
        assertEquals(before, c.checksum());
        applyIn(c, open(cSession, D, false, false));
        assertEquals(Outcome.IS_FILE, resolve(D));
        String dir = CROSSING.get(1);
        applyIn(c, open(cSession, dir, true, false)); // its anchor is not yet in H
        assertEquals(Outcome.IS_DIRECTORY, resolve(dir));
        Result refused = applyIn(h, open(hSession, dir + "/x", false, false));
        assertEquals(ErrorCode.NO_SUCH_NODE, ((Result.Failed) refused).code(), "H alone cannot tell: C is asked");
    }

    @Test
    void aReapSealsDeletesAndDropsAndACreateRacingTheSealIsRefusedThenFindsNothing() {
        long d = madeEphemeral(D);
        long handle = handleOn(c, D);
        applyIn(c, new Command.CloseHandle(cSession, handle)); // the last handle: the apply opens the reap
        DirIntent reap = c.directories().intents().get(0);
        assertEquals(DirIntent.Kind.REAP_DIR, reap.kind());
        assertEquals(DirIntent.Phase.SEALING, reap.phase());
        assertEquals(d, reap.instance());

        Result reopen = applyIn(c, open(cSession, D, true, true));
        assertEquals(ErrorCode.CELL_UNAVAILABLE, ((Result.Failed) reopen).code(), "no handle opened while reaping");
        assertEquals(new Result.DirOutcome(Outcome.SEALED, reap.txid()), applyIn(h, DirectoryPhases.callFor(c, reap)));
        Result racing = applyIn(h, open(hSession, D + "/x", false, false));
        assertEquals(ErrorCode.CELL_UNAVAILABLE, ((Result.Failed) racing).code(), "a create racing the seal");
        assertTrue(h.children(D).isEmpty());

        Command delete = DirectoryPhases.followUp(reap, new Result.DirOutcome(Outcome.SEALED, reap.txid())).get();
        assertEquals(new Result.DirOutcome(Outcome.DELETED, reap.txid()), applyIn(c, delete));
        assertNull(c.nodeAt(D));
        DirIntent dropping = c.directories().intent(reap.txid());
        applyIn(h, DirectoryPhases.callFor(c, dropping));
        applyIn(c, DirectoryPhases.followUp(dropping, new Result.DirOutcome(Outcome.APPLIED, reap.txid())).get());
        assertTrue(c.directories().intents().isEmpty());
        assertEquals(Anchor.State.DROPPED, h.directories().anchor(abs(D).storageKey()).state());

        Result retried = applyIn(h, open(hSession, D + "/x", false, false));
        assertEquals(ErrorCode.NO_SUCH_NODE, ((Result.Failed) retried).code());
        assertEquals(Outcome.NO_NODE, resolve(D), "the retry is answered NO_SUCH_NODE, as after a delete");
    }

    @Test
    void aReapEndsAtNotEmptyAndIsNotStartedWhileAHandleIsOpen() {
        long d = madeEphemeral(D);
        applyIn(h, open(hSession, D + "/x", false, false));
        assertEquals(new Result.DirOutcome(Outcome.STALE, 0), applyIn(c, new Command.ReapIfEmpty(D, d)),
                "a handle is open on D");
        assertTrue(c.directories().intents().isEmpty());

        applyIn(c, new Command.CloseHandle(cSession, handleOn(c, D)));
        DirIntent reap = c.directories().intents().get(0);
        Result answer = applyIn(h, DirectoryPhases.callFor(c, reap));
        assertEquals(new Result.DirOutcome(Outcome.NOT_EMPTY, reap.txid()), answer);
        applyIn(c, DirectoryPhases.followUp(reap, answer).get());
        assertTrue(c.directories().intents().isEmpty());
        assertNotNull(c.nodeAt(D), "a reap found a child: D stays");
        assertEquals(Anchor.State.LIVE, h.directories().anchor(abs(D).storageKey()).state());

        assertEquals(Outcome.INTENT_OPENED, ((Result.DirOutcome) applyIn(c, new Command.ReapIfEmpty(D, d))).outcome());
        Result again = applyIn(c, new Command.ReapIfEmpty(D, d));
        assertEquals(ErrorCode.CELL_UNAVAILABLE, ((Result.Failed) again).code(), "one intent on D at a time: ask again");
        assertEquals(new Result.DirOutcome(Outcome.STALE, 0), applyIn(c, new Command.ReapIfEmpty(D, d + 1)),
                "another instance");
    }

    @Test
    void anEntryOpensOneReapAndDefersTheOthersToItsMaster() {
        List<String> sameGroup = CROSSING;
        long first = madeEphemeral(sameGroup.get(0));
        long second = madeEphemeral(sameGroup.get(1));
        assertEquals(Map.of(), c.directories().idleEphemeralDirectories(), "their handles are open");

        applyIn(c, new Command.EndSession(cSession, "closed"));
        assertEquals(1, c.directories().intents().size());
        DirIntent opened = c.directories().intents().get(0);
        assertEquals(c.appliedIndex(), opened.txid());
        List<Command.ReapIfEmpty> deferred = c.directories().deferredReaps();
        assertEquals(1, deferred.size());
        Command.ReapIfEmpty other = deferred.get(0);
        assertEquals(opened.path().equals(sameGroup.get(0)) ? new Command.ReapIfEmpty(sameGroup.get(1), second)
                : new Command.ReapIfEmpty(sameGroup.get(0), first), other);
        assertEquals(Map.of(other.path(), other.instance()), c.directories().idleEphemeralDirectories(),
                "what a new master of C asks for at takeover: the deferred one (the other has its intent)");

        assertEquals(Outcome.INTENT_OPENED, ((Result.DirOutcome) applyIn(c, other)).outcome());
        assertTrue(c.directories().deferredReaps().isEmpty(), "a later entry starts with none");
        assertEquals(2, c.directories().intents().size());
    }

    @Test
    void aLastHandleClosedWhileTheDirectoryIsBeingCreatedIsReapedOnceTheCreateIsDone() {
        Result r = applyIn(c, open(cSession, D, true, true));
        long d = ((Result.Opened) r).stat().instance();
        DirIntent create = c.directories().pendingOn(D);
        applyIn(c, new Command.EndSession(cSession, "expired")); // before the anchor is acknowledged
        assertEquals(List.of(create), c.directories().intents(), "no reap while the create's intent is open");
        assertEquals(new Result.DirOutcome(Outcome.APPLIED, 0), applyIn(h, DirectoryPhases.callFor(c, create)));
        applyIn(c, new Command.DirIntentDone(create.txid(), Outcome.APPLIED));
        DirIntent reap = c.directories().intents().get(0);
        assertEquals(DirIntent.Kind.REAP_DIR, reap.kind(), "asked for as the create ends");
        assertEquals(d, reap.instance());
        assertEquals(c.appliedIndex(), reap.txid());
    }

    @Test
    void theNewCommandsAndOutcomesRoundTrip() {
        for (Command x : List.of(new Command.ResolveDir(D), new Command.ReapIfEmpty(D, 7))) {
            assertEquals(x, CommandCodec.decode(CommandCodec.encode(x)));
        }
        for (Outcome o : List.of(Outcome.IS_FILE, Outcome.NO_NODE, Outcome.IS_DIRECTORY)) {
            Result r = new Result.DirOutcome(o, 0);
            assertEquals(r, Result.decode(r.encode()));
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Ephemeral directory {@code dir} made in C and anchored in H, its creator's handle open: its instance. */
    private long madeEphemeral(String dir) {
        Result r = applyIn(c, open(cSession, dir, true, true));
        long instance = ((Result.Opened) r).stat().instance();
        DirIntent i = c.directories().pendingOn(dir);
        assertEquals(new Result.DirOutcome(Outcome.APPLIED, 0), applyIn(h, DirectoryPhases.callFor(c, i)));
        applyIn(c, new Command.DirIntentDone(i.txid(), Outcome.APPLIED));
        assertTrue(h.directories().anchor(abs(dir).storageKey()).ephemeral());
        return instance;
    }

    private Outcome resolve(String dir) {
        return ((Result.DirOutcome) applyIn(c, new Command.ResolveDir(dir))).outcome();
    }

    private static Result applyIn(CellState s, Command command) {
        return s.apply(s.appliedIndex() + 1, 1, CommandCodec.encode(command)).result();
    }

    private static long session(CellState s) {
        Result r = applyIn(s, new Command.CreateSessions(List.of("a"), 0));
        return ((Result.SessionsCreated) r).sessionIds().get(0);
    }

    private static long handleOn(CellState s, String path) {
        List<HandleRecord> hs = s.handlesOn(s.nodeAt(path).instance());
        return hs.get(hs.size() - 1).handleId();
    }

    private static Command.Open open(long session, String relative, boolean directory, boolean ephemeral) {
        return new Command.Open(session, "/ls/" + CELL + relative, 0b11, CreateMode.MAY, directory, ephemeral,
                new byte[0], null, null, null, 0, 0, 0);
    }

    private static NodePath abs(String relative) {
        return NodePath.parse("/ls/" + CELL + relative);
    }

    /** Directories whose children live in the other group than their node, all nodes in one group. */
    private static List<String> crossing(int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < count; i++) {
            NodePath p = NodePath.parse("/ls/" + CELL + "/d" + i);
            if (TWO.crossesGroups(p) && (out.isEmpty() || TWO.partitionOf(p) == TWO.partitionOf(abs(out.get(0))))) {
                out.add(p.cellRelative());
            }
        }
        return out;
    }
}
