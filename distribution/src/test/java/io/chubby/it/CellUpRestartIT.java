package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code chubby cell up} run again at once after kill -9 of a replica (the master, the harder
 * case) on a three-replica cell of real processes: the killed replica, a zombie or already gone,
 * is restarted (never reported "running"), the master printed is one that answers as master (a
 * new epoch, not the dead one), every replica then serves and converges; and the re-run keeps the
 * cell's DNS setting (started with --no-dns, re-run without the option).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CellUpRestartIT {
    private static final long DEADLINE_MS = 60_000;
    private static final Pattern MASTER_LINE = Pattern.compile("master: replica (\\d+) at (\\S+), epoch (\\d+)");
    private LocalCell cell;

    @AfterEach
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stopCell() {
        if (cell != null) {
            cell.stop();
        }
    }

    @Test
    void aReplicaKilledWithMinus9IsRestartedByAnImmediateCellUp() throws InterruptedException {
        cell = new LocalCell(3);
        LocalCell.Run up = cell.up("--no-dns");
        assertEquals(0, up.exit(), () -> up + cell.logs());
        assertEquals(0, cell.chubby(null, "put", "/ls/local/before", "x").exit());

        Map<String, String> master = cell.await("a master", () -> cell.master().orElse(null), DEADLINE_MS);
        int victimId = Integer.parseInt(master.get("replica"));
        long oldEpoch = Long.parseLong(master.get("epoch"));
        long victimPid = Long.parseLong(master.get("pid"));
        ProcessHandle victim = ProcessHandle.of(victimPid).orElseThrow(() -> new AssertionError("no process " + victimPid));
        victim.destroyForcibly(); // SIGKILL, and no waiting for it to be reaped: cell up at once

        LocalCell.Run again = cell.up();
        assertEquals(0, again.exit(), () -> again + cell.logs());
        String out = again.out();
        assertTrue(out.contains("replica " + victimId + ": restarted (was: "), out);
        assertFalse(out.contains("replica " + victimId + ": running"), out);
        long newPid = cell.pid(victimId).orElseThrow();
        assertNotEquals(victimPid, newPid);
        assertTrue(out.contains("replica " + victimId + ": answering as "), out);
        Matcher m = MASTER_LINE.matcher(out);
        assertTrue(m.find(), out);
        assertTrue(Long.parseLong(m.group(3)) > oldEpoch, "the master printed answered with a new epoch: " + out);
        // the re-run without --dns/--no-dns kept the cell without DNS
        assertFalse(out.contains("CHUBBY_DNS"), out);
        for (int i = 1; i <= 3; i++) {
            assertFalse(Files.exists(cell.dir().resolve("replica-" + i).resolve("etc").resolve("io.chubby.dns.cfg")));
        }

        // the restarted replica serves (it answers as itself, with the pid cell up recorded) and catches up
        assertEquals(0, cell.chubby(null, "put", "/ls/local/after", "y").exit());
        List<Map<String, String>> converged = cell.await("all 3 replicas serving at one applied index and checksum",
                cell::converged, DEADLINE_MS);
        assertEquals(Long.toString(newPid), converged.get(victimId - 1).get("pid"), LocalCell.describe(converged));
        assertEquals(1, converged.stream().filter(l -> "master".equals(l.get("role"))).count(),
                () -> "one master: " + LocalCell.describe(converged));
    }
}
