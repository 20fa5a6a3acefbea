package io.chubby.store.backup;

import com.sleepycat.je.DatabaseException;
import com.sleepycat.je.Environment;
import com.sleepycat.je.util.DbBackup;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a consistent backup of a running JE environment without pausing it, with JE's
 * {@link DbBackup}: {@code startBackup} fixes a set of log files that will not change nor be
 * deleted by the cleaner; they are copied (each fsynced) while the store goes on writing to newer
 * files; {@code endBackup} (always, in a finally) releases them. The copy, opened read-only, gives
 * the {@link StateSummary} of the manifest, so the manifest describes exactly what was copied.
 *
 * <p>Everything is written under a temporary name in the target, fsynced, renamed into place, and
 * the target fsynced. A failure (target missing and not creatable, not a directory, read-only,
 * full) is a {@link BackupException}; the temporary directory is removed and the store is untouched.
 */
public final class OnlineBackup {
    private static final Logger log = LoggerFactory.getLogger(OnlineBackup.class);

    /** What a backup produced. */
    public record Result(Path directory, Manifest manifest, long millis) {
        /** One line for logs and the shell. */
        public String describe() {
            return "backup " + directory + " cell=" + manifest.cell() + " replica=" + manifest.replicaId()
                    + " takenAt=" + manifest.takenAt() + " appliedIndex=" + manifest.appliedIndex() + " epoch="
                    + manifest.state().epoch() + " groups=" + manifest.state().groups().size() + " files="
                    + manifest.files().size() + " bytes=" + manifest.totalBytes() + " in " + millis + " ms";
        }
    }

    private OnlineBackup() {
    }

    /**
     * Backs {@code env} (whose directory is {@code envDir}) up into a new directory in
     * {@code target} (created when missing), named by {@link BackupNames}.
     */
    public static Result take(Environment env, Path envDir, Path target, String cell, int replicaId, Clock clock) {
        long start = System.nanoTime();
        Instant takenAt = clock.instant();
        String name = BackupNames.name(takenAt, replicaId);
        Path dir = DurableFiles.directory(target);
        Path finalDir = dir.resolve(name);
        if (Files.exists(finalDir)) {
            throw new BackupException(BackupException.Problem.IO, finalDir + " already exists");
        }
        Path tmp = dir.resolve(BackupNames.temporary(name));
        boolean done = false;
        try {
            Files.createDirectory(tmp);
            Path je = Files.createDirectory(tmp.resolve(Manifest.JE_DIR));
            List<FileDigest> files = copy(env, envDir, je);
            DurableFiles.syncDirectory(je);
            StateSummary state = StateReader.read(je);
            Manifest manifest = new Manifest(cell, replicaId, takenAt, state, files);
            DurableFiles.write(tmp.resolve(Manifest.FILE_NAME), ManifestCodec.encode(manifest));
            DurableFiles.syncDirectory(tmp);
            Files.move(tmp, finalDir);
            DurableFiles.syncDirectory(dir);
            done = true;
            Result r = new Result(finalDir, manifest, (System.nanoTime() - start) / 1_000_000);
            log.info("{}", r.describe());
            return r;
        } catch (IOException e) {
            throw DurableFiles.failure("backup into " + dir, e);
        } finally {
            if (!done) {
                DurableFiles.deleteQuietly(tmp);
            }
        }
    }

    private static List<FileDigest> copy(Environment env, Path envDir, Path to) throws IOException {
        DbBackup backup;
        try {
            backup = new DbBackup(env);
            backup.startBackup();
        } catch (DatabaseException e) {
            throw new BackupException(BackupException.Problem.IO, "JE cannot start a backup: " + e.getMessage(), e);
        }
        try {
            List<FileDigest> files = new ArrayList<>();
            for (String name : backup.getLogFilesInBackupSet()) {
                String file = new File(name).getName();
                files.add(DurableFiles.copy(envDir.resolve(name), to.resolve(file)));
            }
            return files;
        } finally {
            backup.endBackup();
        }
    }
}
