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
 * that every replica reports the same applied index and state checksum.
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
