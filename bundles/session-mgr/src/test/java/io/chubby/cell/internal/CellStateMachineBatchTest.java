package io.chubby.cell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.replica.ChangeFeed;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.CommandCodec;
import io.chubby.testkit.MemoryStateStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state machine writes the store once per batch of committed entries, and never loses a batch. */
class CellStateMachineBatchTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();

    private static CellStateMachine machine(MemoryStateStore store) {
        return new CellStateMachine("local", store, new CellStateMachine.AppliedListener() {
            @Override
            public void applied(long index, long epoch, Command command, io.chubby.cell.internal.state.Result result) {
            }

            @Override
            public void reloaded() {
            }
        }, new ChangeFeed(10));
    }

    private static void applyThree(CellStateMachine m, long from) {
        m.apply(from, 1, CommandCodec.encode(new Command.InitCell(SECRET, 1)));
        m.apply(from + 1, 1, CommandCodec.encode(new Command.CreateSessions(List.of("a"), 2)));
        m.apply(from + 2, 1, CommandCodec.encode(new Command.CreateSessions(List.of("b"), 3)));
    }

    @Test
    void oneStoreCommitPerBatchAtTheLastIndexAndAReloadSeesTheSameState() {
        MemoryStateStore store = new MemoryStateStore();
        CellStateMachine m = machine(store);
        applyThree(m, 1);
        assertEquals(0, store.commits(), "nothing is written before the batch ends");
        assertEquals(0, store.appliedIndex());
        m.applyBatchDone();
        assertEquals(1, store.commits(), "one transaction for the whole batch");
        assertEquals(3, store.appliedIndex());
        assertEquals(m.checksum(), store.checksum());
        m.applyBatchDone();
        assertEquals(1, store.commits(), "an empty batch writes nothing");

        CellStateMachine reloaded = machine(store);
        reloaded.load();
        assertEquals(3, reloaded.appliedIndex());
        assertEquals(m.checksum(), reloaded.checksum());
    }

    @Test
    void makeDurableWritesAnUnfinishedBatchFirst() {
        MemoryStateStore store = new MemoryStateStore();
        CellStateMachine m = machine(store);
        applyThree(m, 1);
        m.makeDurable();
        assertEquals(3, store.appliedIndex());
        assertEquals(m.checksum(), store.checksum());
    }

    @Test
    void anInstalledSnapshotDropsTheUnwrittenBatch() throws Exception {
        MemoryStateStore source = new MemoryStateStore();
        CellStateMachine leader = machine(source);
        applyThree(leader, 1);
        leader.applyBatchDone();
        ByteArrayOutputStream snap = new ByteArrayOutputStream();
        leader.writeSnapshot(snap);

        MemoryStateStore store = new MemoryStateStore();
        CellStateMachine m = machine(store);
        m.apply(1, 1, CommandCodec.encode(new Command.InitCell(SECRET, 1)));
        m.installSnapshot(new ByteArrayInputStream(snap.toByteArray()));
        m.applyBatchDone();
        assertEquals(3, store.appliedIndex(), "the pre-snapshot batch was not written over the snapshot");
        assertEquals(leader.checksum(), store.checksum());
        CellStateMachine reloaded = machine(store);
        reloaded.load();
        assertEquals(leader.checksum(), reloaded.checksum());
    }
}
