package io.chubby.store.backup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.LogBatch;
import io.chubby.spi.StateStore;
import io.chubby.spi.StateStore.Mutation;
import io.chubby.store.internal.BdbStore;
import io.chubby.store.internal.StoreSettings;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups of a real JE environment in a temp dir, taken while another thread writes; verify; restore. */
class OnlineBackupTest {
    /** {@code chubby.peer.v1.Ballot{round=2, replica=1}}: epoch 2 * 256 + 1. */
    static final byte[] BALLOT_2_1 = {0x08, 0x02, 0x10, 0x01};
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-05T19:00:00.125Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    /** Applies {@code n} commits of 20 records of 200 bytes (with a small log, 1 MiB files, so there are several). */
    static long fill(StateStore state, long from, int n) {
        long index = from;
        for (int i = 0; i < n; i++) {
            index++;
            List<Mutation> batch = new java.util.ArrayList<>();
            for (int k = 0; k < 20; k++) {
                batch.add(new Mutation("nodes", ("/n/" + index + "/" + k).getBytes(UTF_8), new byte[200]));
            }
            state.commit(index, index * 31, batch);
        }
        return index;
    }

    static BdbStore open(Path dataDir) {
        return BdbStore.open(dataDir, new StoreSettings(16, 1, 500));
    }

    @Test
    void backupWhileWritingVerifiesAndRestoresTheSameState() throws Exception {
        Path data = dir.resolve("data");
        Path target = dir.resolve("missing/target");
        Manifest manifest;
        try (BdbStore store = open(data)) {
            store.write(new LogBatch().putMeta(PromisedEpoch.PROMISED_KEY, BALLOT_2_1).putEntry(1, new byte[]{1}).sync(true));
            long applied = fill(store, 0, 2_000);
            fill(store.stateStores().group(2), 0, 10);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong last = new AtomicLong(applied);
            AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        last.set(fill(store, last.get(), 1));
                    }
                } catch (Throwable t) {
                    writerFailure.set(t);
                }
            });
            writer.start();
            long before = last.get();
            OnlineBackup.Result r = store.backup(target, "cellA", 3, CLOCK);
            long during = last.get();
            stop.set(true);
            writer.join();
            assertNull(writerFailure.get());
            assertTrue(during > before, "the writer kept committing during the backup: " + before + " -> " + during);
            manifest = r.manifest();
            assertEquals(target.resolve("backup-20261205T190000.125Z-r3"), r.directory());
            assertEquals("cellA", manifest.cell());
            assertEquals(3, manifest.replicaId());
            assertEquals(513, manifest.state().epoch());
            assertTrue(manifest.appliedIndex() >= applied && manifest.appliedIndex() <= last.get(), manifest.toString());
            assertEquals(manifest.appliedIndex() * 31, manifest.state().group0().checksum(), "a consistent pair");
            assertEquals(new GroupState(10, 310), manifest.state().groups().get(2));
            assertTrue(manifest.files().size() > 1, "several 1 MiB JE files: " + manifest.files());
            try (var names = Files.list(target)) {
                assertEquals(List.of("backup-20261205T190000.125Z-r3"),
                        names.map(p -> p.getFileName().toString()).toList(), "no temporary directory left");
            }
            System.out.println(r.describe());
            assertEquals(last.get() + 1, fill(store, last.get(), 1), "the store still serves");
        }
        BackupVerifier.Report report = BackupVerifier.verify(target.resolve("backup-20261205T190000.125Z-r3"));
        assertTrue(report.ok(), report.lines().toString());
        assertEquals(manifest, report.manifest());

        Path restored = dir.resolve("restored");
        BackupRestorer.restore(target.resolve("backup-20261205T190000.125Z-r3"), restored);
        assertTrue(RestoreMarker.read(restored).orElseThrow().startsWith(
                "restored from backup 2026-12-05T19:00:00.125Z at index " + manifest.appliedIndex() + " (epoch 513"));
        try (BdbStore copy = open(restored)) {
            assertEquals(RestoreMarker.read(restored), copy.restoredFrom(), "the store names the backup it came from");
            assertEquals(manifest.appliedIndex(), copy.appliedIndex());
            assertEquals(manifest.state().group0().checksum(), copy.checksum());
            assertEquals(10, copy.stateStores().group(2).appliedIndex());
            assertNotNull(copy.get("nodes", ("/n/" + manifest.appliedIndex() + "/19").getBytes(UTF_8)));
            assertNull(copy.get("nodes", ("/n/" + (manifest.appliedIndex() + 1) + "/0").getBytes(UTF_8)));
            assertArrayEquals(BALLOT_2_1, copy.meta(PromisedEpoch.PROMISED_KEY));
        }
    }

    private Path oneBackup() {
        try (BdbStore store = open(dir.resolve("data"))) {
            assertTrue(store.restoredFrom().isEmpty(), "a store of its own history names no backup");
            fill(store, 0, 300);
            return store.backup(dir.resolve("target"), "c", 1, CLOCK).directory();
        }
    }

    @Test
    void oneCorruptByteIsCaughtAndNotRestored() throws IOException {
        Path backup = oneBackup();
        Path file = backup.resolve("je").resolve(BackupVerifier.verify(backup).manifest().files().get(0).name());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x01);
        }
        BackupVerifier.Report report = BackupVerifier.verify(backup);
        assertFalse(report.ok());
        assertEquals(1, report.problems().size(), report.problems().toString());
        assertTrue(report.problems().get(0).startsWith(file.getFileName() + ": SHA-256 "), report.problems().toString());
        assertTrue(report.lines().get(0).startsWith("CORRUPT "), report.lines().toString());
        BackupException e = assertThrows(BackupException.class, () -> BackupRestorer.restore(backup, dir.resolve("r")));
        assertEquals(BackupException.Problem.CORRUPT, e.problem());
        assertFalse(Files.exists(dir.resolve("r")), "nothing restored");
    }

    @Test
    void missingOrExtraFilesAndMissingManifestAreReported() throws IOException {
        Path backup = oneBackup();
        Manifest m = BackupVerifier.verify(backup).manifest();
        Files.delete(backup.resolve("je").resolve(m.files().get(0).name()));
        Files.write(backup.resolve("je").resolve("7fffffff.jdb"), new byte[]{1});
        assertEquals(List.of(m.files().get(0).name() + ": missing", "7fffffff.jdb: not in the manifest"),
                BackupVerifier.verify(backup).problems());
        Files.delete(backup.resolve(Manifest.FILE_NAME));
        assertTrue(BackupVerifier.verify(backup).problems().get(0).startsWith("no MANIFEST in "));
    }

    @Test
    void restoreRefusesANonEmptyDataDirectory() throws IOException {
        Path backup = oneBackup();
        Path data = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(data.resolve("something"), "x");
        BackupException e = assertThrows(BackupException.class, () -> BackupRestorer.restore(backup, data));
        assertEquals(BackupException.Problem.DATA_DIR_NOT_EMPTY, e.problem());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(300, BackupRestorer.restore(backup, empty).appliedIndex(), "an existing empty directory is fine");
    }

    @Test
    void manifestTextRoundTripsAndRejectsGarbage() {
        Manifest m = new Manifest("c", 2, CLOCK.instant(), new StateSummary(513, java.util.Map.of(0, new GroupState(9, -4),
                3, new GroupState(1, 7))), List.of(new FileDigest("00000001.jdb", 5, "b".repeat(64)),
                new FileDigest("00000000.jdb", 10, "a".repeat(64))));
        String text = new String(ManifestCodec.encode(m), UTF_8);
        assertEquals("format=1\ncell=c\nreplica=2\ntaken.at=2026-12-05T19:00:00.125Z\napplied.index=9\nepoch=513\n"
                + "group.0=9 -4\ngroup.3=1 7\nfile.00000000.jdb=10 " + "a".repeat(64) + "\nfile.00000001.jdb=5 "
                + "b".repeat(64) + "\n", text);
        assertEquals(m, ManifestCodec.decode(ManifestCodec.encode(m)));
        assertEquals(BackupException.Problem.CORRUPT, assertThrows(BackupException.class,
                () -> ManifestCodec.decode(text.replace("applied.index=9", "applied.index=8").getBytes(UTF_8))).problem());
        assertThrows(BackupException.class, () -> ManifestCodec.decode("format=2\n".getBytes(UTF_8)));
        assertThrows(BackupException.class, () -> ManifestCodec.decode(text.replace("epoch=513", "epoch=x").getBytes(UTF_8)));
    }

    @Test
    void promisedEpochDecodesTheBallot() {
        assertEquals(0, PromisedEpoch.of(null));
        assertEquals(513, PromisedEpoch.of(BALLOT_2_1));
        assertEquals(300L << 8 | 4, PromisedEpoch.of(new byte[]{0x08, (byte) 0xac, 0x02, 0x10, 0x04}));
        assertThrows(IllegalArgumentException.class, () -> PromisedEpoch.of(new byte[]{0x08}));
    }

    @Test
    void retentionKeepsTheNewest() {
        List<String> names = List.of("backup-20261205T190000.000Z-r1", "notes", "backup-20261204T190000.000Z-r1",
                ".backup-20261206T190000.000Z-r1.tmp", "backup-20261206T190000.000Z-r2");
        assertEquals(List.of("backup-20261204T190000.000Z-r1"), Retention.toDelete(names, 2));
        assertEquals(List.of(), Retention.toDelete(names, 3));
        assertEquals(Instant.parse("2026-12-05T19:00:00Z"), BackupNames.takenAt("backup-20261205T190000.000Z-r1").orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> Retention.toDelete(names, 0));
    }
}
