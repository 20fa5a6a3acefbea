package io.chubby.store.backup;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The description of one backup, stored beside its files as {@value #FILE_NAME}: whose state it is,
 * when it was taken, what it holds (read back from the copied files) and every copied file.
 *
 * @param cell      the cell name
 * @param replicaId the replica it was taken from
 * @param takenAt   when the copy started
 * @param state     applied index and checksum of every group, and the epoch, read from the copy
 * @param files     the copied JE log files ({@code je/<name>}), sorted by name
 */
public record Manifest(String cell, int replicaId, Instant takenAt, StateSummary state, List<FileDigest> files) {
    public static final String FILE_NAME = "MANIFEST";
    /** The directory inside a backup holding the JE files. */
    public static final String JE_DIR = "je";

    public Manifest {
        if (cell == null || cell.isBlank() || cell.contains("\n")) {
            throw new IllegalArgumentException("bad cell name '" + cell + "'");
        }
        files = files.stream().sorted(Comparator.comparing(FileDigest::name)).toList();
    }

    /** Group 0's applied index. */
    public long appliedIndex() {
        return state.group0().appliedIndex();
    }

    /** Sum of the copied files' sizes. */
    public long totalBytes() {
        return files.stream().mapToLong(FileDigest::size).sum();
    }
}
