package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A five-replica cell as real processes: kill -9 of the master leads to a new master with a larger
 * epoch and writes succeed again; the killed replica, restarted by {@code cell up}, catches up so
 * that every replica reports the same applied index and state checksum. Then a planned change of
 * master: {@code chubby master transfer --to ID}, without {@code --to}, and to a non-member (refused).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CellFailoverIT {
    private static final long FAILOVER_DEADLINE_MS = 30_000;
    private static final long CATCH_UP_DEADLINE_MS = 60_000;
    private LocalCell cell;

    @AfterEach
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stopCell() {
        if (cell != null) {
            cell.stop();
        }
    }

    @Test
    void masterKilledNewMasterTakesOverAndRestartedReplicaCatchesUp() throws InterruptedException {
        cell = new LocalCell(5);
        LocalCell.Run up = cell.up();
        assertEquals(0, up.exit(), () -> up + cell.logs());

        write("/ls/local/before", "written before the failover", FAILOVER_DEADLINE_MS);

        Map<String, String> oldMaster = await("a master", () -> cell.master().orElse(null), FAILOVER_DEADLINE_MS);
        long oldEpoch = Long.parseLong(oldMaster.get("epoch"));
        long pid = Long.parseLong(oldMaster.get("pid"));
        ProcessHandle victim = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        victim.destroyForcibly(); // SIGKILL: no clean shutdown
        victim.onExit().join();

        Map<String, String> newMaster = await("a new master with an epoch above " + oldEpoch, () -> cell.master()
                .filter(m -> Long.parseLong(m.get("epoch")) > oldEpoch)
                .filter(m -> !m.get("address").equals(oldMaster.get("address"))).orElse(null), FAILOVER_DEADLINE_MS);
        assertTrue(Long.parseLong(newMaster.get("epoch")) > oldEpoch);

        write("/ls/local/after", "written after the failover", FAILOVER_DEADLINE_MS);
        assertEquals("written before the failover", cell.chubby(null, "cat", "/ls/local/before").out().strip());

        LocalCell.Run restart = cell.up();
        assertEquals(0, restart.exit(), () -> restart + cell.logs());
        write("/ls/local/after-restart", "x", FAILOVER_DEADLINE_MS);

        List<Map<String, String>> converged = await("all 5 replicas at the same applied index and checksum",
                cell::converged, CATCH_UP_DEADLINE_MS);
        assertEquals(1, converged.stream().filter(m -> "master".equals(m.get("role"))).count(),
                () -> "one master: " + LocalCell.describe(converged));

        // A planned change of master (issue 19): chubby master transfer --to ID, then without --to.
        Map<String, String> before = await("a master", () -> cell.master().orElse(null), FAILOVER_DEADLINE_MS);
        String from = cell.chubby(null, "master").out().strip();
        int fromId = Integer.parseInt(from.substring(from.indexOf("replica=") + "replica=".length()));
        int toId = fromId % 5 + 1;
        LocalCell.Run moved = cell.chubby(null, "master", "transfer", "--to", Integer.toString(toId));
        assertEquals(0, moved.exit(), moved::toString);
        assertTrue(moved.out().startsWith("group 0: mastership moved from replica " + fromId + " to replica " + toId),
                moved::toString);
        String now = await("chubby master to name replica " + toId, () -> {
            String m = cell.chubby(null, "master").out().strip();
            return m.endsWith("replica=" + toId) ? m : null;
        }, FAILOVER_DEADLINE_MS);
        assertTrue(Long.parseLong(now.substring(now.indexOf("epoch=") + 6, now.indexOf(" replica=")))
                > Long.parseLong(before.get("epoch")), now);
        write("/ls/local/after-transfer", "written after a planned transfer", FAILOVER_DEADLINE_MS);
        LocalCell.Run again = cell.chubby(null, "master", "transfer");
        assertEquals(0, again.exit(), again::toString);
        assertTrue(again.out().contains("mastership moved from replica " + toId), again::toString);
        LocalCell.Run bad = cell.chubby(null, "master", "transfer", "--to", "9");
        assertEquals(1, bad.exit(), bad::toString);
        assertTrue(bad.out().contains("not another member"), bad::toString);
        System.out.println("chubby master transfer: " + moved.out().strip() + " | " + again.out().strip());
    }

    /** Writes with retries until the deadline (a write may meet an election in progress). */
    private void write(String path, String value, long deadlineMs) throws InterruptedException {
        long end = System.currentTimeMillis() + deadlineMs;
        LocalCell.Run last;
        do {
            last = cell.chubby(null, "put", path, value);
            if (last.exit() == 0) {
                LocalCell.Run cat = cell.chubby(null, "cat", path);
                assertEquals(value, cat.out().strip(), cat::toString);
                return;
            }
            Thread.sleep(500);
        } while (System.currentTimeMillis() < end);
        fail("write of " + path + " did not succeed within " + deadlineMs + " ms; last: " + last + cell.logs());
    }

    private <T> T await(String what, Supplier<T> probe, long deadlineMs) throws InterruptedException {
        return cell.await(what, probe, deadlineMs);
    }
}
