package io.chubby.store.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.chubby.store.internal.BdbStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad backup target gives a typed error and leaves the store serving. A full or read-only file
 * system needs a mount: those two cases run only where {@code mount -t tmpfs} is permitted (root).
 */
class BadTargetTest {
    @TempDir
    Path dir;

    private BackupException backupFails(BdbStore store, Path target) {
        BackupException e = assertThrows(BackupException.class, () -> store.backup(target, "c", 1, OnlineBackupTest.CLOCK));
        long next = store.appliedIndex() + 1;
        OnlineBackupTest.fill(store, store.appliedIndex(), 1);
        assertEquals(next, store.appliedIndex(), "the store still serves");
        return e;
    }

    @Test
    void aFileIsNotADirectory() throws IOException {
        try (BdbStore store = OnlineBackupTest.open(dir.resolve("data"))) {
            OnlineBackupTest.fill(store, 0, 10);
            Path file = Files.writeString(dir.resolve("file"), "x");
            BackupException e = backupFails(store, file);
            assertEquals(BackupException.Problem.TARGET_NOT_A_DIRECTORY, e.problem());
            assertTrue(e.getMessage().contains(file + " exists and is not a directory"), e.getMessage());
            assertEquals(BackupException.Problem.TARGET_NOT_A_DIRECTORY, backupFails(store, file.resolve("below")).problem());
        }
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsNotWritable() {
        try (BdbStore store = OnlineBackupTest.open(dir.resolve("data"))) {
            BackupException e = backupFails(store, Path.of("/sys/chubby-backup-test"));
            assertEquals(BackupException.Problem.TARGET_NOT_WRITABLE, e.problem(), e.getMessage());
        }
    }

    @Test
    void aFullOrReadOnlyFileSystemFailsCleanly() throws Exception {
        Path tiny = Files.createDirectories(dir.resolve("tiny"));
        Path ro = Files.createDirectories(dir.resolve("ro"));
        assumeTrue(mount(tiny, "size=64k") && mount(ro, "size=64k,ro"), "mounting a tmpfs needs root");
        try (BdbStore store = OnlineBackupTest.open(dir.resolve("data"))) {
            OnlineBackupTest.fill(store, 0, 1_000);
            BackupException full = backupFails(store, tiny);
            assertEquals(BackupException.Problem.TARGET_FULL, full.problem(), full.getMessage());
            try (var left = Files.list(tiny)) {
                assertEquals(0, left.count(), "the partial copy is removed");
            }
            BackupException readOnly = backupFails(store, ro);
            assertEquals(BackupException.Problem.TARGET_NOT_WRITABLE, readOnly.problem(), readOnly.getMessage());
        } finally {
            run("umount", tiny.toString());
            run("umount", ro.toString());
        }
    }

    private static boolean mount(Path at, String options) throws Exception {
        return run("mount", "-t", "tmpfs", "-o", options, "tmpfs", at.toString());
    }

    private static boolean run(String... command) throws Exception {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
