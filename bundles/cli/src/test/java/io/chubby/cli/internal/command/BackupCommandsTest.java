package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.sim.cell.InProcessReplicas;
import io.chubby.spi.AdminShell;
import io.chubby.spi.StateStore.Mutation;
import io.chubby.store.internal.BdbStore;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chubby backup create} through the admin channel; {@code verify} and {@code restore} on real JE files. */
class BackupCommandsTest {
    private final Harness h = new Harness();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        h.close();
    }

    private Result ok(String... args) {
        Result r = h.run(args);
        assertEquals(0, r.code(), () -> "exit of " + String.join(" ", args) + ", stderr: " + r.err() + " out: " + r.out());
        assertEquals("", r.err());
        return r;
    }

    /** Three replicas whose admin shells record "ADDRESS LINE"; a target containing "full" fails with status 1. */
    private List<String> replicas(int master, List<String> calls) {
        InProcessReplicas r = h.use(InProcessReplicas.start(3, master, 4));
        for (int id = 1; id <= 3; id++) {
            String address = r.addresses().get(id - 1);
            r.replica(id).setAdminShell(line -> {
                calls.add(address + " " + line);
                return line.contains("full") ? new AdminShell.Result(1, "TARGET_FULL: no space left\n")
                        : new AdminShell.Result(0, "backup /b/backup-x-r" + address);
            });
        }
        return r.addresses();
    }

    @Test
    void createRunsStoreBackupInAFollowerOrTheGivenReplica() {
        List<String> calls = new CopyOnWriteArrayList<>();
        List<String> a = replicas(1, calls);
        assertEquals("backup /b/backup-x-r" + a.get(1) + "\n", ok("backup", "create", "--to", "/b").out());
        ok("backup", "create", "--to", "/c", "--replica", a.get(0));
        assertEquals(List.of(a.get(1) + " store:backup --to /b", a.get(0) + " store:backup --to /c"), calls);

        Result failed = h.run("backup", "create", "--to", "/full");
        assertEquals(1, failed.code());
        assertEquals("TARGET_FULL: no space left\n", failed.out());
        assertEquals(List.of("chubby: backup failed in " + a.get(1) + " with status 1"), failed.errLines());
        assertEquals(2, h.run("backup", "create").code(), "--to is required");
        assertEquals(2, h.run("backup").code(), "a subcommand is required");
    }

    @Test
    void withoutAMasterCreateTriesTheReplicasInOrder() {
        List<String> calls = new CopyOnWriteArrayList<>();
        List<String> a = replicas(0, calls);
        ok("backup", "create", "--to", "/b", "--timeout", "1");
        assertEquals(List.of(a.get(0) + " store:backup --to /b"), calls);
    }

    private Path realBackup(long applied) {
        try (BdbStore store = BdbStore.open(dir.resolve("replica"))) {
            for (long i = 1; i <= applied; i++) {
                store.commit(i, i * 3, List.of(new Mutation("nodes", Long.toString(i).getBytes(), new byte[64])));
            }
            return store.backup(dir.resolve("backups"), "local", 2,
                    Clock.fixed(Instant.parse("2026-12-05T19:30:00Z"), ZoneOffset.UTC)).directory();
        }
    }

    @Test
    void verifyAndRestoreARealBackup() throws Exception {
        Path backup = realBackup(50);
        Result verified = ok("backup", "verify", backup.toString());
        assertEquals("OK " + backup, verified.outLines().get(0));
        assertEquals("cell=local replica=2 takenAt=2026-12-05T19:30:00Z appliedIndex=50 epoch=0", verified.outLines().get(1));
        assertEquals("group 0: appliedIndex=50 checksum=150", verified.outLines().get(2));

        Path data = dir.resolve("new-replica");
        Result restored = ok("backup", "restore", "--from", backup.toString(), "--dir", data.toString());
        assertTrue(restored.outLines().get(0).startsWith("restored " + backup + " into " + data
                + ": cell=local replica=2 takenAt=2026-12-05T19:30:00Z appliedIndex=50 epoch=0 files=1 bytes="), restored.out());
        try (BdbStore copy = BdbStore.open(data)) {
            assertEquals(50, copy.appliedIndex());
            assertEquals(150, copy.checksum());
        }
        Result again = h.run("backup", "restore", "--from", backup.toString(), "--dir", data.toString());
        assertEquals(13, again.code(), "NOT_EMPTY");
        assertTrue(again.err().startsWith("chubby: NOT_EMPTY: DATA_DIR_NOT_EMPTY: " + data + " is not empty"), again.err());

        Path jdb;
        try (var files = Files.list(backup.resolve("je"))) {
            jdb = files.filter(p -> p.toString().endsWith(".jdb")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(jdb.toFile(), "rw")) {
            f.seek(100);
            int b = f.read();
            f.seek(100);
            f.write(b ^ 0x10);
        }
        Result corrupt = h.run("backup", "verify", backup.toString());
        assertEquals(1, corrupt.code());
        assertEquals("CORRUPT " + backup, corrupt.outLines().get(0));
        assertTrue(corrupt.out().contains("problem: " + jdb.getFileName() + ": SHA-256 "), corrupt.out());
        Result refused = h.run("backup", "restore", "--from", backup.toString(), "--dir", dir.resolve("other").toString());
        assertEquals(22, refused.code(), refused.err());
        assertTrue(refused.err().startsWith("chubby: INVALID_ARGUMENT: CORRUPT: will not restore " + backup), refused.err());
    }

    @Test
    void verifyOfADirectoryWithoutManifestFails() {
        Result r = h.run("backup", "verify", dir.toString());
        assertEquals(1, r.code());
        assertEquals(List.of("CORRUPT " + dir, "problem: no MANIFEST in " + dir + " (not a backup, or an incomplete one)"),
                r.outLines());
    }
}
