package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Backup and restore on a three-replica cell of real processes ({@link LocalCell}): {@code chubby
 * backup create} backs a follower up while the cell serves, {@code backup verify} accepts it, a
 * bad target fails with exit 1 and the cell keeps serving; a replica killed, its data directory
 * replaced by {@code backup restore}, restarted by {@code cell up}, logs the restore and catches up
 * with writes made after the backup (same applied index and checksum everywhere); then the whole
 * cell is restored from the one backup (disaster recovery): its state is the backup's and its master
 * has a higher epoch than the backup's. The state is
 * {@code chubby.it.backup.nodes} files (default 20,000) of 100 bytes; the backup's time and size
 * are printed.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class BackupRestoreIT {
    private static final long DEADLINE_MS = 60_000;
    private static final Pattern BACKUP_LINE = Pattern.compile(
            "backup (\\S+) cell=\\S+ replica=(\\d+) takenAt=\\S+ appliedIndex=(\\d+) epoch=(\\d+) groups=\\d+ files=(\\d+) bytes=(\\d+) in (\\d+) ms");
    private LocalCell cell;

    @AfterEach
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stopCell() {
        if (cell != null) {
            cell.stop();
        }
    }

    @Test
    void backupVerifyAndRestoreAReplicaThatCatchesUp() throws Exception {
        int nodes = Integer.getInteger("chubby.it.backup.nodes", 20_000);
        cell = new LocalCell(3);
        LocalCell.Run up = cell.up();
        assertEquals(0, up.exit(), () -> up + cell.logs());
        Map<String, String> master = cell.await("a master", () -> cell.master().orElse(null), DEADLINE_MS);

        long fillStart = System.nanoTime();
        try (ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(cell.cellSpec())
                .clientName("backup-it").callTimeout(Duration.ofSeconds(30)).build())) {
            c.mkdir("/ls/local/data");
            writeAll(c, nodes);
        }
        long fillMs = (System.nanoTime() - fillStart) / 1_000_000;

        Path backups = cell.dir().resolve("backups");
        LocalCell.Run created = cell.chubby(null, "backup", "create", "--to", backups.toString());
        assertEquals(0, created.exit(), () -> created + cell.logs());
        Matcher m = BACKUP_LINE.matcher(created.out().strip());
        assertTrue(m.matches(), created::toString);
        Path backup = Path.of(m.group(1));
        int backedUp = Integer.parseInt(m.group(2));
        assertNotEquals(master.get("address"), cell.clientAddress(backedUp), "a follower is backed up by default");
        assertTrue(Long.parseLong(m.group(3)) >= nodes, created::toString);
        System.out.printf("BackupRestoreIT: %d nodes written in %d ms; backup of replica %d: %s files, %s bytes in %s ms%n",
                nodes, fillMs, backedUp, m.group(5), m.group(6), m.group(7));
        long backupEpoch = Long.parseLong(m.group(4));

        LocalCell.Run verified = cell.chubby(null, "backup", "verify", backup.toString());
        assertEquals(0, verified.exit(), verified::toString);
        assertEquals("OK " + backup, verified.out().lines().findFirst().orElse(""));

        LocalCell.Run bad = cell.chubby(null, "backup", "create", "--to", "/sys/chubby-backup-it");
        assertEquals(1, bad.exit(), bad::toString);
        assertTrue(bad.out().contains("TARGET_NOT_WRITABLE"), bad::toString);
        put("/ls/local/after-bad-target", "still serving");

        int victim = backedUp;
        long pid = cell.pid(victim).orElseThrow();
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
        h.destroyForcibly();
        h.onExit().get(30, TimeUnit.SECONDS);
        Path replicaDir = cell.dir().resolve("replica-" + victim);
        Files.move(replicaDir.resolve("data"), replicaDir.resolve("data.lost"));
        long restoreStart = System.nanoTime();
        LocalCell.Run restored = cell.chubby(null, "backup", "restore", "--from", backup.toString(), "--dir",
                replicaDir.resolve("data").toString());
        assertEquals(0, restored.exit(), restored::toString);
        long restoreMs = (System.nanoTime() - restoreStart) / 1_000_000;
        put("/ls/local/after-backup", "written while replica " + victim + " was down");

        long catchUpStart = System.nanoTime();
        LocalCell.Run again = cell.up();
        assertEquals(0, again.exit(), () -> again + cell.logs());
        List<Map<String, String>> converged = cell.await("all 3 replicas at one applied index and checksum",
                cell::converged, DEADLINE_MS);
        long catchUpMs = (System.nanoTime() - catchUpStart) / 1_000_000;
        assertEquals(3, converged.size());
        String log = Files.readString(replicaDir.resolve("log").resolve("replica.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("restored from backup "), () -> "replica " + victim + " logs the restore" + cell.logs());
        System.out.printf("BackupRestoreIT: restore %d ms; restart + catch-up until converged %d ms%n", restoreMs, catchUpMs);

        restoreTheWholeCell(backup, backupEpoch);
    }

    /**
     * Disaster recovery: every replica's data replaced by the one backup; the cell comes back with
     * the backup's state (a write made after it is gone) and a master of a higher epoch.
     */
    private void restoreTheWholeCell(Path backup, long backupEpoch) throws Exception {
        LocalCell.Run down = cell.down();
        assertEquals(0, down.exit(), down::toString);
        for (int id = 1; id <= 3; id++) {
            Path replicaDir = cell.dir().resolve("replica-" + id);
            Files.move(replicaDir.resolve("data"), replicaDir.resolve("data.before-dr"));
            LocalCell.Run r = cell.chubby(null, "backup", "restore", "--from", backup.toString(), "--dir",
                    replicaDir.resolve("data").toString());
            assertEquals(0, r.exit(), r::toString);
        }
        LocalCell.Run up = cell.up();
        assertEquals(0, up.exit(), () -> up + cell.logs());
        Map<String, String> master = cell.await("a master after the restore", () -> cell.master().orElse(null), DEADLINE_MS);
        assertTrue(Long.parseLong(master.get("epoch")) > backupEpoch,
                () -> "master epoch " + master.get("epoch") + " above the backup's " + backupEpoch);
        put("/ls/local/after-dr", "the restored cell serves");
        assertEquals(0, cell.chubby(null, "stat", "/ls/local/data/n0").exit(), "state of the backup is there");
        LocalCell.Run gone = cell.chubby(null, "cat", "/ls/local/after-backup");
        assertEquals(10, gone.exit(), () -> "written after the backup: NO_SUCH_NODE; " + gone);
        cell.await("all 3 restored replicas at one applied index and checksum", cell::converged, DEADLINE_MS);
        LocalCell.Run status = cell.status();
        long marked = status.out().lines().filter(l -> l.contains(" restored=\"restored from backup ")).count();
        assertEquals(3, marked, () -> "cell status names the backup on every restored replica: " + status);
        System.out.printf("BackupRestoreIT: whole cell restored from one backup: master epoch %s > backup epoch %d%n",
                master.get("epoch"), backupEpoch);
    }

    /**
     * Writes the nodes, 256 in flight. A write whose outcome is unknown (the master lost its lease
     * under a loaded machine: it happened once in a local CI run, 47 of 20,000) is written again:
     * the same value to the same path, so repeating it is safe; each node is tried at most 5 times.
     */
    private void writeAll(ChubbyClient c, int nodes) throws Exception {
        Semaphore window = new Semaphore(256);
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger retried = new AtomicInteger();
        AtomicReference<Throwable> first = new AtomicReference<>();
        byte[] value = new byte[100];
        for (int i = 0; i < nodes; i++) {
            window.acquire();
            write(c, "/ls/local/data/n" + i, value, 1, window, failed, retried, first);
        }
        assertTrue(window.tryAcquire(256, 120, TimeUnit.SECONDS), "every write answered");
        assertEquals(0, failed.get(), () -> "failed writes (after retries), first: " + first.get());
        if (retried.get() > 0) {
            System.out.printf("BackupRestoreIT: %d writes repeated after an unknown outcome or a change of master%n",
                    retried.get());
        }
    }

    private static void write(ChubbyClient c, String path, byte[] value, int attempt, Semaphore window,
                              AtomicInteger failed, AtomicInteger retried, AtomicReference<Throwable> first) {
        c.writeAsync(path, value).whenComplete((s, e) -> {
            if (e == null) {
                window.release();
                return;
            }
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e;
            boolean again = cause instanceof ChubbyException ce && (ce.code() == ErrorCode.OUTCOME_UNKNOWN
                    || ce.code() == ErrorCode.NOT_MASTER || ce.code() == ErrorCode.CELL_UNAVAILABLE);
            if (again && attempt < 5) {
                retried.incrementAndGet();
                write(c, path, value, attempt + 1, window, failed, retried, first);
            } else {
                failed.incrementAndGet();
                first.compareAndSet(null, cause);
                window.release();
            }
        });
    }

    private void put(String path, String value) throws InterruptedException, IOException {
        long end = System.currentTimeMillis() + DEADLINE_MS;
        LocalCell.Run last;
        do {
            last = cell.chubby(null, "put", path, value);
            if (last.exit() == 0) {
                return;
            }
            Thread.sleep(500);
        } while (System.currentTimeMillis() < end);
        throw new AssertionError("put " + path + " failed: " + last + cell.logs());
    }
}
