package io.chubby.cell.internal.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ErrorCode;
import io.chubby.api.PartitionHash;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SetPartitions (tag 16) and the per-group InitCell in the pure core (docs/PARTITIONING.md steps 7, section 5). */
class PartitionsStateTest {
    private static final String REFUSED = "the cell holds data partitioned 1 way(s); changing the number of "
            + "partitions (re-partitioning) is not supported";

    private static Command.SetPartitions four() {
        return new Command.SetPartitions(4, PartitionHash.NAME, PartitionHash.SLOTS);
    }

    @Test
    void recordedOnACellHoldingOnlyItsRootAndReadBackAfterReload() {
        TestCell c = TestCell.initialised();
        assertFalse(c.state.partitionsRecorded());
        assertEquals(Partitions.ONE, c.state.partitions());
        c.ok(four());
        assertEquals(new Partitions(4, PartitionHash.NAME, PartitionHash.SLOTS), c.state.partitions());
        c.ok(four()); // the same record again (a second master proposing it) is a no-op
        CellState reloaded = new CellState("c");
        reloaded.load(c.state.appliedIndex(), c.state.records().iterator());
        assertEquals(c.state.partitions(), reloaded.partitions());
        assertEquals(c.state.checksum(), reloaded.checksum());
    }

    @Test
    void refusedOnceTheCellHoldsASessionOrANode() {
        TestCell withSession = TestCell.initialised();
        withSession.session();
        Result.Failed f = assertInstanceOf(Result.Failed.class, withSession.run(four()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, f.code());
        assertEquals(REFUSED, f.message());
        assertFalse(withSession.state.partitionsRecorded());

        TestCell withNode = TestCell.initialised();
        long s = withNode.session();
        withNode.create(s, "/ls/c/d", true, false);
        withNode.ok(new Command.EndSession(s, "done"));
        long before = withNode.state.checksum();
        f = assertInstanceOf(Result.Failed.class, withNode.run(four()));
        assertEquals(REFUSED, f.message());
        assertEquals(before, withNode.state.checksum());
    }

    @Test
    void aDifferentRecordIsRefusedOnceRecorded() {
        TestCell c = TestCell.initialised();
        c.ok(four());
        Result.Failed f = assertInstanceOf(Result.Failed.class,
                c.run(new Command.SetPartitions(8, PartitionHash.NAME, PartitionHash.SLOTS)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, f.code());
        assertEquals("the cell holds data partitioned 4 way(s); changing the number of partitions "
                + "(re-partitioning) is not supported", f.message());
        assertEquals(4, c.state.partitions().count());
    }

    @Test
    void onlyGroupZeroRecordsItAndBadRecordsAreRefused() {
        TestCell g2 = new TestCell("c", 2);
        Result.Failed f = assertInstanceOf(Result.Failed.class, g2.run(four()));
        assertEquals("SetPartitions is recorded in group 0 only, not in group 2", f.message());
        TestCell c = TestCell.initialised();
        assertInstanceOf(Result.Failed.class, c.run(new Command.SetPartitions(0, PartitionHash.NAME, 4096)));
        assertInstanceOf(Result.Failed.class, c.run(new Command.SetPartitions(5000, PartitionHash.NAME, 4096)));
        assertInstanceOf(Result.Failed.class, c.run(new Command.SetPartitions(4, "", 4096)));
    }

    @Test
    void initCellOfAGroupRecordsTheGroupAndTheSecretButNoRoot() {
        TestCell g3 = new TestCell("c", 3);
        g3.ok(new Command.InitCell(TestCell.SECRET, g3.now, 3));
        assertArrayEquals(TestCell.SECRET, g3.state.secret());
        assertNull(g3.state.nodeAt("/"));
        assertTrue(g3.state.records().stream().anyMatch(r -> r.table().equals(CellState.META)
                && Arrays.equals(r.key(), CellState.GROUP_KEY)));
        // A group's session works as in group 0 (sessions are per group).
        assertEquals(List.of(1L), ((Result.SessionsCreated) g3.ok(new Command.CreateSessions(List.of("t"), 1)))
                .sessionIds());
    }

    @Test
    void initCellOfAnotherGroupIsRefusedAndGroupZeroStaysAsBefore() {
        TestCell g1 = new TestCell("c", 1);
        Result.Failed f = assertInstanceOf(Result.Failed.class, g1.run(new Command.InitCell(TestCell.SECRET, 1, 2)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, f.code());
        assertFalse(g1.state.initialised());
        assertInstanceOf(Result.Failed.class, g1.run(new Command.InitCell(TestCell.SECRET, 1)));

        TestCell g0 = TestCell.initialised();
        assertTrue(g0.state.records().stream().noneMatch(r -> Arrays.equals(r.key(), CellState.GROUP_KEY)));
        assertEquals(1, g0.state.nodeAt("/").instance());
    }

    @Test
    void aStoreOfAnotherGroupIsRefusedOnLoad() {
        TestCell g1 = new TestCell("c", 1);
        g1.ok(new Command.InitCell(TestCell.SECRET, 1, 1));
        CellState asGroup2 = new CellState("c", 2);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> asGroup2.load(g1.state.appliedIndex(), g1.state.records().iterator()));
        assertEquals("this store holds the state of group 1, not of group 2", e.getMessage());
    }

    @Test
    void codecKeepsGroupZeroInitCellBytesAndRoundTripsTheNewCommands() {
        byte[] g0 = CommandCodec.encode(new Command.InitCell(TestCell.SECRET, 7));
        // tag, length-prefixed secret, i64 time: the layout of every earlier version
        assertEquals(1 + 4 + TestCell.SECRET.length + 8, g0.length);
        Command.InitCell back = (Command.InitCell) CommandCodec.decode(
                CommandCodec.encode(new Command.InitCell(TestCell.SECRET, 7, 5)));
        assertEquals(5, back.group());
        assertEquals(four(), CommandCodec.decode(CommandCodec.encode(four())));
        assertEquals(16, CommandCodec.encode(four())[0]);
    }
}
