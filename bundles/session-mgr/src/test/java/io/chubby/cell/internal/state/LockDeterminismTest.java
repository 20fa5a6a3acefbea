package io.chubby.cell.internal.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.CreateMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Lock commands are deterministic and safe: two replicas fed the same random lock workload have
 * the same checksum at every index, and a replica rebuilt from the records (restart, snapshot)
 * matches. After every command ({@link StateChecks}): no apply threw (an INTERNAL result), at most
 * one EXCLUSIVE holder or only SHARED holders per lock, holders are open handles of their sessions,
 * lock generations never decrease, the checksum equals the sum over the records.
 */
class LockDeterminismTest {

    /** Random lock traffic; a driver replica picks mostly open handles with their own sessions. */
    static List<byte[]> lockWorkload(long seed, int count) {
        Random r = new Random(seed);
        CellState driver = new CellState("c");
        List<byte[]> out = new ArrayList<>();
        out.add(CommandCodec.encode(new Command.InitCell(TestCell.SECRET, 1)));
        out.add(CommandCodec.encode(new Command.CreateSessions(List.of("a", "b", "c", "d"), 2)));
        driver.apply(1, 1, out.get(0));
        driver.apply(2, 1, out.get(1));
        long now = 10;
        for (int i = 0; i < count; i++) {
            now += r.nextInt(500);
            List<Long> live = driver.sessionIds();
            long session = live.isEmpty() || r.nextInt(10) == 0 ? 1 + r.nextInt(5) : live.get(r.nextInt(live.size()));
            long handle = 1 + r.nextInt(Math.max(1, i / 3 + 1));
            List<Long> open = new ArrayList<>(driver.handles.keySet());
            if (!open.isEmpty() && r.nextInt(10) > 0) {
                handle = open.get(r.nextInt(open.size()));
            }
            HandleRecord h = driver.handle(handle);
            if (h != null && r.nextInt(10) > 0) {
                session = h.sessionId();
            }
            String path = "/ls/c/" + (char) ('p' + r.nextInt(3));
            Command c = switch (r.nextInt(10)) {
                case 0, 1 -> new Command.Open(session, path, Modes.ALL, CreateMode.MAY, false, false, new byte[0],
                        null, null, null, 0, r.nextInt(3) * 1000L, now);
                case 2, 3 -> new Command.Acquire(session, handle, r.nextInt(2), r.nextBoolean(), now);
                case 4 -> new Command.Release(session, handle, now);
                case 5 -> new Command.CancelWait(session, handle, now);
                case 6 -> new Command.LockDelayExpired(path, now);
                case 7 -> new Command.CloseHandle(session, handle);
                case 8 -> r.nextInt(4) == 0 ? new Command.EndSession(session, "x", r.nextBoolean(), now)
                        : new Command.CreateSessions(List.of("n" + i), now);
                default -> new Command.SetSequencer(session, handle,
                        new Sequencer(path, 1 + r.nextInt(4), 0, r.nextInt(3)).encode(TestCell.SECRET));
            };
            out.add(CommandCodec.encode(c));
            driver.apply(out.size(), 1, out.get(out.size() - 1));
        }
        return out;
    }

    @Test
    void sameLockEntriesSameChecksumEverywhere() {
        List<byte[]> log = lockWorkload(7, 600);
        CellState a = new CellState("c");
        CellState b = new CellState("c");
        long index = 0;
        int granted = 0;
        int lockWrites = 0;
        StateChecks checks = new StateChecks();
        for (byte[] cmd : log) {
            index++;
            CellState.Applied ra = a.apply(index, 1, cmd);
            CellState.Applied rb = b.apply(index, 1, cmd);
            checks.after(index, a, ra);
            StateChecks.checksumMatchesRecords(index, a);
            assertEquals(a.checksum(), b.checksum(), "diverged at index " + index);
            assertArrayEquals(ra.result().encode(), rb.result().encode(), "different results at index " + index);
            lockWrites += (int) ra.mutations().stream().filter(m -> m.table().equals(LockTable.LOCKS)).count();
            List<LockNotice> na = a.locks().drainNotices();
            assertEquals(na, b.locks().drainNotices());
            granted += (int) na.stream().filter(n -> n instanceof LockNotice.Granted).count();
            if (ra.result() instanceof Result.Locked l && l.outcome() == Result.Locked.GRANTED) {
                granted++;
            }
        }
        assertTrue(granted > 30, "the workload should grant locks, granted " + granted);
        assertTrue(checks.succeeded() > checks.checked() / 3, "most commands should do something: "
                + checks.succeeded() + " of " + checks.checked());
        CellState reloaded = new CellState("c");
        reloaded.load(index, a.records().iterator());
        assertEquals(a.checksum(), reloaded.checksum());
        assertEquals(a.records().size(), reloaded.records().size());
        long sum = 0;
        for (var rec : a.records()) {
            sum += Hash64.record(rec.table(), rec.key(), rec.value());
        }
        assertEquals(sum, a.checksum(), "checksum equals the sum over the stored records");
        assertTrue(lockWrites > 50, "lock records written " + lockWrites);
    }
}
