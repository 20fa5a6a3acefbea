package io.chubby.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.Member;
import io.chubby.spi.ReplicaIdentity;
import io.chubby.spi.StateStore.Mutation;
import io.chubby.store.backup.BackupException;
import io.chubby.store.backup.BackupNames;
import io.chubby.store.backup.BackupVerifier;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code store:backup} and the Config Admin schedule (PID io.chubby.backup) over a real store. */
class BackupComponentsTest {
    @TempDir
    Path dir;

    private record Identity() implements ReplicaIdentity {
        @Override
        public String cellName() {
            return "cellB";
        }

        @Override
        public int replicaId() {
            return 2;
        }

        @Override
        public List<Member> members() {
            return List.of(new Member(2, "127.0.0.1", 7001, 7101));
        }

        @Override
        public String dataDir() {
            return "unused";
        }
    }

    private static BackupSchedule.Config config(Map<String, Object> values) {
        return (BackupSchedule.Config) Proxy.newProxyInstance(BackupSchedule.Config.class.getClassLoader(),
                new Class<?>[] {BackupSchedule.Config.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return BackupSchedule.Config.class;
                    }
                    Object v = values.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                });
    }

    private static void commit(BdbStore store, long index) {
        store.commit(index, index * 7, List.of(new Mutation("t", new byte[]{(byte) index}, new byte[]{1})));
    }

    @Test
    void gogoBackupWritesABackupAndSaysWhere() {
        Clock clock = Clock.fixed(Instant.parse("2026-12-05T19:10:00Z"), ZoneOffset.UTC);
        try (BdbStore store = BdbStore.open(dir.resolve("data"))) {
            commit(store, 1);
            BackupCommands commands = new BackupCommands(store, new Identity(), clock);
            String line = commands.backup("--to", dir.resolve("b").toString());
            Path backup = dir.resolve("b").resolve("backup-20261205T191000.000Z-r2");
            assertTrue(line.startsWith("backup " + backup + " cell=cellB replica=2 takenAt=2026-12-05T19:10:00Z "
                    + "appliedIndex=1 epoch=0 groups=1 files=1 bytes="), line);
            assertTrue(BackupVerifier.verify(backup).ok());
            assertEquals(BackupCommands.USAGE, assertThrows(IllegalArgumentException.class,
                    () -> commands.backup("--into", "x")).getMessage());
            assertThrows(IllegalArgumentException.class, commands::backup);
            BackupException e = assertThrows(BackupException.class, () -> commands.backup("--to", backup.resolve("MANIFEST").toString()));
            assertEquals(BackupException.Problem.TARGET_NOT_A_DIRECTORY, e.problem());
        }
    }

    @Test
    void withoutATargetTheScheduleIsInert() throws InterruptedException {
        try (BdbStore store = BdbStore.open(dir.resolve("data"))) {
            BackupSchedule s = new BackupSchedule(config(Map.of()), store, new Identity(), Clock.systemUTC(), TimeUnit.MILLISECONDS);
            assertFalse(s.active());
            s.stop();
            assertThrows(IllegalArgumentException.class, () -> new BackupSchedule(config(Map.of("backup_target_dir", "x",
                    "backup_keep", 0)), store, new Identity(), Clock.systemUTC(), TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void theScheduleBacksUpEveryIntervalAndKeepsTheNewest() throws Exception {
        Path target = dir.resolve("scheduled");
        try (BdbStore store = BdbStore.open(dir.resolve("data"))) {
            commit(store, 1);
            // interval 20 in milliseconds for the test (minutes in OSGi); backup names differ by the millisecond
            BackupSchedule s = new BackupSchedule(config(Map.of("backup_target_dir", target.toString(),
                    "backup_interval_minutes", 20, "backup_keep", 2)), store, new Identity(), Clock.systemUTC(),
                    TimeUnit.MILLISECONDS);
            assertTrue(s.active());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (backups(target).size() < 2 && System.nanoTime() < deadline) {
                commit(store, store.appliedIndex() + 1);
                Thread.sleep(20);
            }
            Thread.sleep(300); // several more ticks: older backups are pruned down to 2
            s.stop();
            List<String> left = backups(target);
            assertEquals(2, left.size(), left.toString());
            for (String name : left) {
                assertTrue(BackupVerifier.verify(target.resolve(name)).ok(), name);
            }
            assertTrue(left.stream().allMatch(BackupNames::isBackup), left.toString());
        }
    }

    private static List<String> backups(Path target) throws java.io.IOException {
        if (!Files.isDirectory(target)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(target)) {
            return s.map(p -> p.getFileName().toString()).filter(BackupNames::isBackup).sorted().toList();
        }
    }
}
