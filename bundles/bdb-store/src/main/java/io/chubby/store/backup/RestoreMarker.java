package io.chubby.store.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The file {@value #FILE_NAME} a restore writes in the data directory, naming the backup the
 * replica's state came from; the store logs it at every start
 * ("restored from backup TAKEN_AT at index N ...").
 */
public final class RestoreMarker {
    public static final String FILE_NAME = "RESTORED-FROM-BACKUP";

    private RestoreMarker() {
    }

    static byte[] content(Manifest m, Path source) {
        return ("restored from backup " + m.takenAt() + " at index " + m.appliedIndex() + " (epoch " + m.state().epoch()
                + ", cell " + m.cell() + ", replica " + m.replicaId() + ", from " + source.toAbsolutePath() + ")\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The marker's line in {@code dataDir}, if there is one. */
    public static Optional<String> read(Path dataDir) {
        Path f = dataDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(f, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return Optional.of("restored from a backup (marker unreadable: " + e + ")");
        }
    }
}
