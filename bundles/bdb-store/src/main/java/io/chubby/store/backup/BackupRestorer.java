package io.chubby.store.backup;

import io.chubby.store.backup.BackupException.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Seeds a replica's data directory from a backup, offline: the backup must verify
 * ({@link BackupVerifier}); the data directory must not exist or be empty; the JE files are
 * copied into {@code <dataDir>/je} (each fsynced, the directories fsynced), then the
 * {@link RestoreMarker} is written. The replica started on it holds the backup's state and log
 * and catches up from the cell (or, for a whole cell restored from one backup, elects a master
 * with a ballot above every promise in the copy: a new, higher epoch).
 */
public final class BackupRestorer {
    private BackupRestorer() {
    }

    /** @return the verified manifest of what was restored */
    public static Manifest restore(Path backupDir, Path dataDir) {
        BackupVerifier.Report report = BackupVerifier.verify(backupDir);
        if (!report.ok()) {
            throw new BackupException(Problem.CORRUPT, "will not restore " + backupDir + ": "
                    + String.join("; ", report.problems()));
        }
        requireEmpty(dataDir);
        Manifest m = report.manifest();
        Path target = DurableFiles.directory(dataDir);
        Path je = target.resolve("je");
        try {
            Files.createDirectories(je);
            for (FileDigest f : m.files()) {
                FileDigest copied = DurableFiles.copy(backupDir.resolve(Manifest.JE_DIR).resolve(f.name()), je.resolve(f.name()));
                if (!copied.equals(f)) {
                    throw new BackupException(Problem.CORRUPT, f.name() + " changed while restoring it: " + copied);
                }
            }
            DurableFiles.syncDirectory(je);
            DurableFiles.write(target.resolve(RestoreMarker.FILE_NAME), RestoreMarker.content(m, backupDir));
            DurableFiles.syncDirectory(target);
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                DurableFiles.syncDirectory(parent);
            }
            return m;
        } catch (IOException e) {
            throw DurableFiles.failure("restore into " + dataDir, e);
        }
    }

    private static void requireEmpty(Path dataDir) {
        if (!Files.exists(dataDir)) {
            return;
        }
        if (!Files.isDirectory(dataDir)) {
            throw new BackupException(Problem.TARGET_NOT_A_DIRECTORY, dataDir + " exists and is not a directory");
        }
        try (Stream<Path> entries = Files.list(dataDir)) {
            if (entries.findAny().isPresent()) {
                throw new BackupException(Problem.DATA_DIR_NOT_EMPTY, dataDir + " is not empty: restore only "
                        + "into a new or empty data directory (stop the replica and move its data away first)");
            }
        } catch (IOException e) {
            throw DurableFiles.failure("cannot read " + dataDir, e);
        }
    }
}
