package io.chubby.cell.internal.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.Stat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Namespace, metadata and handle semantics of the pure core (SPEC sections 2-3, issue 4). */
class CellStateTest {

    private final TestCell c = TestCell.initialised();
    private final long s = c.session();

    private void assertCode(ErrorCode code, Runnable r) {
        ChubbyException e = TestCell.expectFail(r);
        assertEquals(code, e.code(), e.getMessage());
    }

    private Result.Failed failed(Command cmd) {
        Result r = c.run(cmd);
        assertTrue(r instanceof Result.Failed, "expected failure, got " + r);
        return (Result.Failed) r;
    }

    @Test
    void createWriteReadStat() {
        c.create(s, "/ls/c/dir", true, false);
        Result.Opened f = c.open(s, "/ls/c/dir/f", Modes.WRITE, CreateMode.MAY, false, false, "v1");
        assertTrue(f.created());
        Stat st = f.stat();
        assertEquals(1, st.contentGeneration());
        assertEquals(2, st.size());
        assertEquals(Hash64.fnv1a("v1".getBytes(StandardCharsets.UTF_8)), st.checksum());
        assertEquals(c.now, st.createdMillis());
        HandleRecord h = c.handle(f, s);
        c.now = 5_000;
        Result.Written w = (Result.Written) c.ok(new Command.SetContents(s, h.handleId(),
                "value2".getBytes(StandardCharsets.UTF_8), false, 0, c.now));
        assertEquals(2, w.stat().contentGeneration());
        assertEquals(6, w.stat().size());
        assertEquals(5_000, w.stat().modifiedMillis());
        assertEquals(1_000, w.stat().createdMillis());
        assertArrayEquals("value2".getBytes(StandardCharsets.UTF_8), c.state.contentsOf(h).contents());
        // Opening again with MAY does not create.
        assertFalse(c.open(s, "/ls/c/dir/f", Modes.READ, CreateMode.MAY, false, false, "x").created());
        List<DirEntry> entries = c.state.readDir(c.handle(c.open(s, "/ls/c/dir", 1, CreateMode.NO, false, false,
                null), s));
        assertEquals(1, entries.size());
        assertEquals("f", entries.get(0).name());
    }

    @Test
    void rootExistsAfterInitAndCannotBeDeleted() {
        Result.Opened root = c.open(s, "/ls/c", Modes.WRITE, CreateMode.NO, false, false, null);
        assertTrue(root.stat().directory());
        Result.Failed f = failed(new Command.Delete(s, c.handle(root, s).handleId()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, f.code());
    }

    @Test
    void errorsOfTheNamespace() {
        c.create(s, "/ls/c/file", false, false);
        c.create(s, "/ls/c/d", true, false);
        c.create(s, "/ls/c/d/x", false, false);
        assertCode(ErrorCode.NO_SUCH_NODE, () -> c.open(s, "/ls/c/nope", 1, CreateMode.NO, false, false, null));
        assertCode(ErrorCode.NO_SUCH_NODE, () -> c.create(s, "/ls/c/a/b", false, false));
        assertCode(ErrorCode.NOT_A_DIRECTORY, () -> c.create(s, "/ls/c/file/b", false, false));
        assertCode(ErrorCode.EXISTS, () -> c.create(s, "/ls/c/file", false, false));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> c.create(s, "/ls/c/bad name", false, false));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> c.open(s, "/ls/c/dd", 2, CreateMode.MUST, true, false, "x"));
        HandleRecord d = c.handle(c.open(s, "/ls/c/d", Modes.WRITE, CreateMode.NO, false, false, null), s);
        assertEquals(ErrorCode.NOT_EMPTY, failed(new Command.Delete(s, d.handleId())).code());
        assertEquals(ErrorCode.IS_A_DIRECTORY,
                failed(new Command.SetContents(s, d.handleId(), new byte[1], false, 0, 1)).code());
        assertCode(ErrorCode.IS_A_DIRECTORY, () -> c.state.contentsOf(d));
        HandleRecord f = c.handle(c.open(s, "/ls/c/file", Modes.WRITE, CreateMode.NO, false, false, null), s);
        assertCode(ErrorCode.NOT_A_DIRECTORY, () -> c.state.readDir(f));
        assertEquals(ErrorCode.CAS_MISMATCH,
                failed(new Command.SetContents(s, f.handleId(), new byte[1], true, 7, 1)).code());
        assertEquals(ErrorCode.SESSION_EXPIRED, failed(new Command.Open(999, "/ls/c/file", 1, CreateMode.NO, false,
                false, new byte[0], null, null, null, 0, 0, 0)).code());
        assertCode(ErrorCode.TOO_LARGE, () -> Validation.contentSize("/ls/c/file", 11, 10));
        assertEquals(ErrorCode.INVALID_ARGUMENT, failed(new Command.Open(s, "/ls/c/ld", 1, CreateMode.MAY, false,
                false, new byte[0], null, null, null, 0, 60_001, 0)).code());
    }

    @Test
    void casAndGenerations() {
        HandleRecord h = c.handle(c.create(s, "/ls/c/f", false, false), s);
        Result.Written w = (Result.Written) c.ok(new Command.SetContents(s, h.handleId(), new byte[] {1}, true, 1, 2));
        assertEquals(2, w.stat().contentGeneration());
        assertEquals(ErrorCode.CAS_MISMATCH,
                failed(new Command.SetContents(s, h.handleId(), new byte[] {2}, true, 1, 3)).code());
        assertArrayEquals(new byte[] {1}, c.state.contentsOf(h).contents());
        Result.Written a = (Result.Written) c.ok(new Command.SetAcl(s, h.handleId(), "r", "w", "x", 4));
        assertEquals(2, a.stat().aclGeneration());
        assertEquals("r", a.stat().readAcl());
        assertEquals(2, a.stat().contentGeneration());
        assertEquals(0, a.stat().lockGeneration());
    }

    @Test
    void aclNamesInheritedFromParentUnlessGiven() {
        HandleRecord d = c.handle(c.create(s, "/ls/c/d", true, false), s);
        c.ok(new Command.SetAcl(s, d.handleId(), "readers", "writers", "admins", 2));
        Result.Opened inherited = c.create(s, "/ls/c/d/a", false, false);
        assertEquals("writers", inherited.stat().writeAcl());
        Result.Opened given = (Result.Opened) c.ok(new Command.Open(s, "/ls/c/d/b", Modes.ALL, CreateMode.MUST,
                false, false, new byte[0], "r2", null, "c2", 0, 0, 3));
        assertEquals("r2", given.stat().readAcl());
        assertEquals("writers", given.stat().writeAcl());
        assertEquals("c2", given.stat().changeAcl());
    }

    @Test
    void modeChecksGivePermissionDenied() {
        c.create(s, "/ls/c/f", false, false);
        HandleRecord ro = c.handle(c.open(s, "/ls/c/f", 0, CreateMode.NO, false, false, null), s);
        assertEquals(Modes.READ, ro.modeBits());
        assertEquals(ErrorCode.PERMISSION_DENIED,
                failed(new Command.SetContents(s, ro.handleId(), new byte[1], false, 0, 1)).code());
        assertEquals(ErrorCode.PERMISSION_DENIED, failed(new Command.Delete(s, ro.handleId())).code());
        HandleRecord w = c.handle(c.open(s, "/ls/c/f", Modes.WRITE, CreateMode.NO, false, false, null), s);
        assertEquals(ErrorCode.PERMISSION_DENIED, failed(new Command.SetAcl(s, w.handleId(), "a", "b", "c", 1))
                .code());
    }

    @Test
    void instanceNumbersGrowAcrossRecreation() {
        Result.Opened first = c.create(s, "/ls/c/f", false, false);
        HandleRecord h = c.handle(first, s);
        c.ok(new Command.Delete(s, h.handleId()));
        assertCode(ErrorCode.BAD_HANDLE, () -> c.handle(first, s));
        Result.Opened second = c.create(s, "/ls/c/f", false, false);
        assertTrue(second.stat().instance() > first.stat().instance());
        // The old handle stays bad although the name exists again.
        assertCode(ErrorCode.BAD_HANDLE, () -> c.handle(first, s));
        assertEquals(ErrorCode.BAD_HANDLE,
                failed(new Command.SetContents(s, h.handleId(), new byte[1], false, 0, 1)).code());
    }

    @Test
    void forgedAlteredForeignAndClosedHandles() {
        Result.Opened o = c.create(s, "/ls/c/f", false, false);
        byte[] altered = o.handle().clone();
        altered[10] ^= 1;
        assertCode(ErrorCode.BAD_HANDLE, () -> c.state.checkHandle(altered, s));
        HandleToken t = HandleToken.decode(o.handle(), TestCell.SECRET);
        byte[] forged = new HandleToken(t.sessionId(), t.handleId(), t.path(), t.instance(), Modes.ALL, t.epoch())
                .encode("another-secret-of-32-bytes......".getBytes(StandardCharsets.US_ASCII));
        assertCode(ErrorCode.BAD_HANDLE, () -> c.state.checkHandle(forged, s));
        assertCode(ErrorCode.BAD_HANDLE, () -> c.state.checkHandle(new byte[3], s));
        long other = c.session();
        assertCode(ErrorCode.BAD_HANDLE, () -> c.state.checkHandle(o.handle(), other));
        HandleRecord h = c.handle(o, s);
        assertEquals(1, h.epoch());
        c.ok(new Command.CloseHandle(s, h.handleId()));
        assertCode(ErrorCode.BAD_HANDLE, () -> c.state.checkHandle(o.handle(), s));
        // Close never fails: again, unknown, and foreign.
        c.ok(new Command.CloseHandle(s, h.handleId()));
        c.ok(new Command.CloseHandle(s, 12345));
        // Ids only grow: a closed id is never handed out again.
        HandleRecord next = c.handle(c.open(s, "/ls/c/f", 1, CreateMode.NO, false, false, null), s);
        assertTrue(next.handleId() > h.handleId());
        assertCode(ErrorCode.BAD_HANDLE, () -> c.state.checkHandle(o.handle(), s));
    }

    @Test
    void ephemeralNodesGoWhenTheirLastHandleCloses() {
        c.create(s, "/ls/c/d", true, false);
        Result.Opened e = c.create(s, "/ls/c/d/e", false, true);
        assertTrue(e.stat().ephemeral());
        long other = c.session();
        HandleRecord second = c.handle(c.open(other, "/ls/c/d/e", 1, CreateMode.NO, false, false, null), other);
        c.ok(new Command.CloseHandle(s, c.handle(e, s).handleId()));
        assertEquals(3, c.state.nodeCount(), "still open through the other session");
        c.ok(new Command.CloseHandle(other, second.handleId()));
        assertEquals(2, c.state.nodeCount(), "root and /d remain");
    }

    @Test
    void endingASessionClosesHandlesAndReapsEphemeralsIncludingEmptyDirectories() {
        Result.Opened dir = c.create(s, "/ls/c/ed", true, true);
        c.create(s, "/ls/c/ed/x", false, true);
        c.create(s, "/ls/c/keep", false, false);
        long other = c.session();
        c.create(other, "/ls/c/theirs", false, true);
        assertEquals(4, c.state.handleCount());
        c.ok(new Command.EndSession(s, "expired"));
        assertFalse(c.state.hasSession(s));
        assertEquals(1, c.state.handleCount());
        assertEquals(3, c.state.nodeCount(), "root, /keep and /theirs");
        assertEquals(ErrorCode.SESSION_EXPIRED, failed(new Command.EndSession(s, "again")).code());
        assertCode(ErrorCode.SESSION_EXPIRED, () -> c.state.checkHandle(dir.handle(), s));
    }

    @Test
    void ephemeralDirectoryWithChildrenStaysUntilEmpty() {
        long other = c.session();
        Result.Opened dir = c.create(s, "/ls/c/ed", true, true);
        HandleRecord child = c.handle(c.create(other, "/ls/c/ed/p", false, false), other);
        c.ok(new Command.CloseHandle(s, c.handle(dir, s).handleId()));
        assertEquals(3, c.state.nodeCount());
        c.ok(new Command.Delete(other, child.handleId()));
        assertEquals(1, c.state.nodeCount(), "deleting the last child reaped the unopened ephemeral directory");
    }

    @Test
    void failedCommandChangesNothing() {
        c.create(s, "/ls/c/f", false, false);
        long sum = c.state.checksum();
        int nodes = c.state.nodeCount();
        CellState.Applied a = c.state.apply(++c.index, 1, CommandCodec.encode(
                new Command.Open(s, "/ls/c/f", 1, CreateMode.MUST, false, false, new byte[0], null, null, null,
                        0, 0, 0)));
        assertTrue(a.mutations().isEmpty());
        assertEquals(sum, c.state.checksum());
        assertEquals(nodes, c.state.nodeCount());
        CellState.Applied garbage = c.state.apply(++c.index, 1, new byte[] {42, 1, 2});
        assertEquals(ErrorCode.INTERNAL, ((Result.Failed) garbage.result()).code());
        assertEquals(sum, c.state.checksum());
        assertEquals(c.index, c.state.appliedIndex());
    }

    @Test
    void openBeforeInitIsUnavailable() {
        TestCell fresh = new TestCell("c");
        long sess = fresh.session();
        Result r = fresh.run(new Command.Open(sess, "/ls/c", 1, CreateMode.NO, false, false, new byte[0], null,
                null, null, 0, 0, 0));
        assertEquals(ErrorCode.CELL_UNAVAILABLE, ((Result.Failed) r).code());
        fresh.ok(new Command.InitCell(TestCell.SECRET, 1));
        long sum = fresh.state.checksum();
        fresh.ok(new Command.InitCell("a-different-secret-value".getBytes(StandardCharsets.US_ASCII), 2));
        assertEquals(sum, fresh.state.checksum(), "the first secret wins");
        assertArrayEquals(TestCell.SECRET, fresh.state.secret());
        assertNotEquals(0, sum);
    }

    @Test
    void batchedSessionCreationIsOneEntry() {
        Result.SessionsCreated r = (Result.SessionsCreated) c.ok(new Command.CreateSessions(
                List.of("a", "b", "c", "d"), 7));
        assertEquals(4, r.sessionIds().size());
        for (int i = 1; i < 4; i++) {
            assertTrue(r.sessionIds().get(i) > r.sessionIds().get(i - 1));
        }
        assertEquals(5, c.state.sessionCount());
    }

    @Test
    void sessionsRecordTheirPrincipalAndOldEntriesReadAsAnonymous() {
        Command owned = new Command.CreateSessions(List.of("a", "b"), List.of("alice", "anonymous"), 7);
        assertEquals(owned, CommandCodec.decode(CommandCodec.encode(owned)));
        Result.SessionsCreated r = (Result.SessionsCreated) c.ok(owned);
        assertEquals("alice", c.state.session(r.sessionIds().get(0)).principal());
        assertEquals("anonymous", c.state.session(r.sessionIds().get(1)).principal());
        // A batch of anonymous sessions keeps the encoding older replicas read (tag 2, names only).
        Command anon = new Command.CreateSessions(List.of("x"), 8);
        assertEquals(2, CommandCodec.encode(anon)[0]);
        assertEquals(anon, CommandCodec.decode(CommandCodec.encode(anon)));
        byte[] v1 = new Codec.Out().u8(1).i64(42).str("old").i64(5).toBytes();
        assertEquals(new SessionRecord(42, "old", 5, "anonymous"), SessionRecord.decode(v1));
        SessionRecord v2 = new SessionRecord(43, "new", 6, "bob");
        assertEquals(v2, SessionRecord.decode(v2.encode()));
    }

    @Test
    void aGuardedCommandAppliesOnlyWhileEveryAclFileIsAtTheVersionItNames() {
        long s = c.session();
        c.create(s, "/ls/c/acl", true, false);
        c.create(s, "/ls/c/acl/w", false, false);
        Result.Opened f = c.create(s, "/ls/c/f", false, false);
        Node w = c.state.nodeAt("/acl/w");
        Command write = new Command.SetContents(s, c.handle(f, s).handleId(), "x".getBytes(StandardCharsets.UTF_8),
                false, 0, c.now);
        Command.Guarded current = new Command.Guarded(List.of(
                new Command.AclVersion("/acl/w", w.instance(), w.contentGeneration()),
                new Command.AclVersion("/acl/missing", 0, 0)), write);
        assertArrayEquals(CommandCodec.encode(current), CommandCodec.encode(CommandCodec.decode(
                CommandCodec.encode(current))), "the codec round-trips a guarded command");
        long sum = c.state.checksum();
        for (Command.AclVersion stale : List.of(new Command.AclVersion("/acl/w", w.instance(), w.contentGeneration() + 1),
                new Command.AclVersion("/acl/w", w.instance() + 1, w.contentGeneration()),
                new Command.AclVersion("/acl/w", 0, 0),
                new Command.AclVersion("/acl", 0, 0))) {
            Result r = c.run(new Command.Guarded(List.of(stale), write));
            assertEquals(ErrorCode.CELL_UNAVAILABLE, ((Result.Failed) r).code(), stale.toString());
            assertEquals(sum, c.state.checksum(), "nothing applied for " + stale);
        }
        assertTrue(c.ok(current) instanceof Result.Written);
        assertNotEquals(sum, c.state.checksum());
        assertThrows(IllegalArgumentException.class, () -> new Command.Guarded(List.of(), write));
        assertThrows(IllegalArgumentException.class, () -> new Command.Guarded(current.acls(), current));
    }
}
