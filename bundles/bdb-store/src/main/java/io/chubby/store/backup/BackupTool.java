package io.chubby.store.backup;

import java.nio.file.Path;
import java.util.List;

/**
 * The entry points of {@code chubby backup verify} and {@code chubby backup restore}, with only JDK
 * types in their signatures: the CLI loads this bundle's jar in a class loader of its own and calls
 * them by reflection. Failures are {@link BackupException}s (a {@code io.chubby.api.ChubbyException},
 * which the CLI's class loader shares).
 */
public final class BackupTool {
    private BackupTool() {
    }

    /** The verification report's lines; the first starts with {@code OK} or {@code CORRUPT}. */
    public static List<String> verify(String backupDir) {
        return BackupVerifier.verify(Path.of(backupDir)).lines();
    }

    /** Restores and returns what to print. */
    public static List<String> restore(String backupDir, String dataDir) {
        Manifest m = BackupRestorer.restore(Path.of(backupDir), Path.of(dataDir));
        return List.of("restored " + backupDir + " into " + dataDir + ": cell=" + m.cell() + " replica=" + m.replicaId()
                + " takenAt=" + m.takenAt() + " appliedIndex=" + m.appliedIndex() + " epoch=" + m.state().epoch()
                + " files=" + m.files().size() + " bytes=" + m.totalBytes(),
                "start the replica on it: it logs 'restored from backup " + m.takenAt() + " at index "
                        + m.appliedIndex() + "' and catches up from the cell");
    }
}
