package io.chubby.store.backup;

import java.util.List;

/** Which backups a schedule deletes: all but the {@code keep} newest (names sort by time, {@link BackupNames}). */
public final class Retention {
    private Retention() {
    }

    /** The names among {@code names} to delete, oldest first; names that are not backups are never chosen. */
    public static List<String> toDelete(List<String> names, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, was " + keep);
        }
        List<String> backups = names.stream().filter(BackupNames::isBackup).sorted().toList();
        return backups.subList(0, Math.max(0, backups.size() - keep));
    }
}
