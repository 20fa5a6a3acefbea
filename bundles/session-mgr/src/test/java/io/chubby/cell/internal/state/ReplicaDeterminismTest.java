package io.chubby.cell.internal.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.CreateMode;
import io.chubby.spi.StateStore;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Two replicas fed the same entries hold the same state: equal checksums and results at every
 * index, equal to a replica rebuilt from the stored records (snapshot install / restart), and the
 * mutations each apply reports reproduce the state when replayed into a store. No apply may throw
 * (an INTERNAL result fails the test: {@link StateChecks}).
 */
class ReplicaDeterminismTest {
    private static final String[] NAMES = {"a", "b", "c", "d"};

    /** Random but seeded commands over a small namespace so that most of them interact. */
    static List<byte[]> randomCommands(long seed, int count) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        out.add(CommandCodec.encode(new Command.InitCell(TestCell.SECRET, 1)));
        out.add(CommandCodec.encode(new Command.CreateSessions(List.of("x", "y", "z"), 2)));
        for (int i = 0; i < count; i++) {
            long session = 1 + r.nextInt(4);
            long handle = 1 + r.nextInt(Math.max(1, i / 2 + 1));
            String path = "/ls/c/" + NAMES[r.nextInt(4)] + (r.nextBoolean() ? "" : "/" + NAMES[r.nextInt(4)]);
            byte[] data = new byte[r.nextInt(20)];
            r.nextBytes(data);
            Command c = switch (r.nextInt(9)) {
                case 0, 1, 2 -> new Command.Open(session, path, r.nextInt(8), CreateMode.values()[r.nextInt(3)],
                        r.nextBoolean(), r.nextBoolean(), data, null, null, null, 0, 0, i);
                case 3 -> new Command.CloseHandle(session, handle);
                case 4 -> new Command.SetContents(session, handle, data, r.nextBoolean(), r.nextInt(3), i);
                case 5 -> new Command.SetAcl(session, handle, "r" + i, "w", "c", i);
                case 6 -> new Command.Delete(session, handle);
                case 7 -> r.nextInt(4) == 0 ? new Command.EndSession(session, "test")
                        : new Command.CreateSessions(List.of("n" + i), i);
                default -> new Command.Noop();
            };
            out.add(CommandCodec.encode(c));
        }
        return out;
    }

    @Test
    void sameEntriesGiveSameChecksumAtEveryIndex() {
        List<byte[]> log = randomCommands(42, 400);
        CellState a = new CellState("c");
        CellState b = new CellState("c");
        TreeMap<String, TreeMap<byte[], byte[]>> store = new TreeMap<>();
        long index = 0;
        StateChecks checks = new StateChecks();
        for (byte[] cmd : log) {
            index++;
            CellState.Applied ra = a.apply(index, 3, cmd);
            CellState.Applied rb = b.apply(index, 3, cmd.clone());
            checks.after(index, a, ra);
            StateChecks.checksumMatchesRecords(index, a);
            assertEquals(a.checksum(), b.checksum(), "diverged at index " + index);
            assertArrayEquals(ra.result().encode(), rb.result().encode(), "different results at index " + index);
            for (StateStore.Mutation m : ra.mutations()) {
                TreeMap<byte[], byte[]> t = store.computeIfAbsent(m.table(), k -> new TreeMap<>(Arrays::compareUnsigned));
                if (m.value() == null) {
                    t.remove(m.key());
                } else {
                    t.put(m.key(), m.value());
                }
            }
        }
        assertNotEquals(0, a.nodeCount() + a.handleCount(), "the random log should leave some state");
        assertTrue(checks.succeeded() > checks.checked() / 3, "most commands should do something: "
                + checks.succeeded() + " of " + checks.checked());
        // Replaying the reported mutations into a store reproduces exactly the state's records.
        List<StateStore.Record> fromStore = new ArrayList<>();
        store.forEach((t, rows) -> rows.forEach((k, v) -> fromStore.add(new StateStore.Record(t, k, v))));
        assertRecordsEqual(a.records(), fromStore);
        CellState restarted = new CellState("c");
        restarted.load(index, fromStore.iterator());
        assertEquals(a.checksum(), restarted.checksum());
        // The restarted replica keeps agreeing with the live one on further entries.
        for (byte[] cmd : randomCommands(7, 100)) {
            index++;
            CellState.Applied ra = a.apply(index, 4, cmd);
            CellState.Applied rr = restarted.apply(index, 4, cmd);
            checks.after(index, a, ra);
            assertEquals(a.checksum(), restarted.checksum(), "diverged after restart at index " + index);
            assertArrayEquals(ra.result().encode(), rr.result().encode(), "different results after restart at index " + index);
        }
    }

    @Test
    void snapshotRoundTripPreservesChecksum() throws Exception {
        CellState a = new CellState("c");
        long index = 0;
        StateChecks checks = new StateChecks();
        for (byte[] cmd : randomCommands(9, 300)) {
            checks.after(++index, a, a.apply(index, 1, cmd));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Snapshots.write(a, out);
        CellState b = new CellState("c");
        Snapshots.Read read = Snapshots.read(new java.io.ByteArrayInputStream(out.toByteArray()));
        b.load(read.appliedIndex(), read.records().iterator());
        assertEquals(a.appliedIndex(), b.appliedIndex());
        assertEquals(a.checksum(), b.checksum());
        assertEquals(read.checksum(), b.checksum());
        assertRecordsEqual(a.records(), b.records());
    }

    @Test
    void differentStatesHaveDifferentChecksums() {
        CellState a = new CellState("c");
        CellState b = new CellState("c");
        a.apply(1, 1, CommandCodec.encode(new Command.InitCell(TestCell.SECRET, 1)));
        b.apply(1, 1, CommandCodec.encode(new Command.InitCell(TestCell.SECRET, 2)));
        assertNotEquals(a.checksum(), b.checksum());
    }

    private static void assertRecordsEqual(List<StateStore.Record> x, List<StateStore.Record> y) {
        assertEquals(x.size(), y.size());
        for (int i = 0; i < x.size(); i++) {
            assertEquals(x.get(i).table(), y.get(i).table());
            assertEquals(Arrays.toString(x.get(i).key()), Arrays.toString(y.get(i).key()));
            assertEquals(Arrays.toString(x.get(i).value()), Arrays.toString(y.get(i).value()));
        }
    }
}
