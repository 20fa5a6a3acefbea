package io.chubby.cell.internal.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ErrorCode;
import io.chubby.api.PartitionHash;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code aclcopy} table and the compare-at-apply of guards against it (docs/PARTITIONING.md
 * section 4.3), on the state of a group P that is not A: copies ordered by their stamp, a pending
 * copy refusing every guard that names it, a final copy replacing version and contents, group A
 * and a cell of one partition keeping no copies.
 */
class AclCopyStateTest {
    private static final Partitions TWO = new Partitions(2, PartitionHash.NAME, PartitionHash.SLOTS);
    private static final int A = AclCopies.aclPartition("c", TWO);
    private static final String W = "/acl/w";
    private TestCell p;

    @BeforeEach
    void setUp() {
        p = new TestCell("c", 1 - A, TWO);
        p.ok(new Command.InitCell(TestCell.SECRET, p.now, 1 - A));
    }

    private static Command.AclCopy copy(long instance, long generation, String contents, long stamp) {
        return new Command.AclCopy(W, instance, generation, contents.getBytes(StandardCharsets.UTF_8), false, false,
                stamp);
    }

    private static Command.AclCopy pending(long stamp) {
        return new Command.AclCopy(W, 0, 0, null, false, true, stamp);
    }

    /** A guarded entry naming {@code /acl/w} at that version; its result. */
    private Result guarded(long instance, long generation) {
        return p.run(new Command.Guarded(List.of(new Command.AclVersion(W, instance, generation)),
                new Command.CreateSessions(List.of("t"), p.now)));
    }

    private void assertRefused(Result r, String why) {
        Result.Failed f = assertInstanceOf(Result.Failed.class, r);
        assertEquals(ErrorCode.CELL_UNAVAILABLE, f.code());
        assertTrue(f.message().contains(why), f.message());
    }

    @Test
    void guardsCompareWithTheCopyAndAPendingCopyRefusesThem() {
        assertTrue(p.state.aclCopies().copied());
        assertInstanceOf(Result.SessionsCreated.class, guarded(0, 0), "no copy yet: the file does not exist");
        assertRefused(guarded(5, 1), "changed while the call was in flight");

        p.ok(copy(5, 1, "alice\n", 10));
        assertEquals(5, p.state.aclCopies().copyOf(W).instance());
        assertInstanceOf(Result.SessionsCreated.class, guarded(5, 1));
        assertRefused(guarded(0, 0), "changed while the call was in flight");

        p.ok(pending(13));
        AclCopies.CopiedAcl c = p.state.aclCopies().copyOf(W);
        assertTrue(c.pending());
        assertEquals(1, c.generation(), "a pending copy keeps the version it had");
        assertArrayEquals("alice\n".getBytes(StandardCharsets.UTF_8), c.contents());
        assertRefused(guarded(5, 1), "is being changed (its copy in partition " + (1 - A) + " is pending)");

        p.ok(copy(5, 1, "alice\n", 10)); // a late duplicate of an older final copy
        assertTrue(p.state.aclCopies().copyOf(W).pending(), "an older copy never ends a pending");

        p.ok(copy(5, 2, "bob\n", 16));
        assertFalse(p.state.aclCopies().copyOf(W).pending());
        assertInstanceOf(Result.SessionsCreated.class, guarded(5, 2));
        assertRefused(guarded(5, 1), "changed while the call was in flight");
        p.ok(pending(15)); // a late pending of the write that is already final
        assertFalse(p.state.aclCopies().copyOf(W).pending());

        p.ok(new Command.AclCopy(W, 5, 2, null, true, false, 20));
        assertTrue(p.state.aclCopies().copyOf(W).absent());
        assertEquals(List.of(), p.state.aclCopies().names());
        assertInstanceOf(Result.SessionsCreated.class, guarded(0, 0));
    }

    @Test
    void copiesAreReplicatedStateReloadedFromTheirRecords() {
        p.ok(copy(5, 1, "alice\n", 10));
        p.ok(pending(13));
        CellState again = new CellState("c", 1 - A, TWO);
        again.load(p.state.appliedIndex(), p.state.records().iterator());
        assertEquals(p.state.checksum(), again.checksum());
        assertEquals(p.state.aclCopies().copyOf(W), again.aclCopies().copyOf(W));
        assertTrue(p.state.records().stream().anyMatch(r -> r.table().equals(AclCopies.TABLE)));
    }

    @Test
    void groupAAndACellOfOnePartitionKeepNoCopiesAndOnlyACLFilesAreCopied() {
        TestCell a = new TestCell("c", A, TWO);
        a.ok(new Command.InitCell(TestCell.SECRET, a.now, A));
        assertFalse(a.state.aclCopies().copied());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertInstanceOf(Result.Failed.class, a.run(copy(5, 1, "x", 2))).code());
        TestCell one = TestCell.initialised();
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertInstanceOf(Result.Failed.class, one.run(copy(5, 1, "x", 2))).code());
        for (String notAnAclFile : List.of("/acl", "/acl/", "/acl/x/y", "/other/w")) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, assertInstanceOf(Result.Failed.class,
                    p.run(new Command.AclCopy(notAnAclFile, 1, 1, null, false, false, 2))).code(), notAnAclFile);
        }
        assertNull(p.state.aclCopies().copyOf("/acl/x/y"));
    }

    @Test
    void theCommandRoundTripsThroughTheCodec() {
        for (Command c : List.of(copy(5, 1, "alice\n", 10), pending(13),
                new Command.AclCopy(W, 5, 2, null, true, false, 20))) {
            byte[] bytes = CommandCodec.encode(c);
            assertArrayEquals(bytes, CommandCodec.encode(CommandCodec.decode(bytes)));
        }
        Command.AclCopy d = (Command.AclCopy) CommandCodec.decode(CommandCodec.encode(copy(5, 1, "alice\n", 10)));
        assertEquals(W, d.path());
        assertEquals(10, d.stamp());
        assertArrayEquals("alice\n".getBytes(StandardCharsets.UTF_8), d.contents());
    }
}
