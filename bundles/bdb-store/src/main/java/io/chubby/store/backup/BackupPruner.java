package io.chubby.store.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Deletes the backups in a target that {@link Retention} says to (all but the {@code keep} newest). */
public final class BackupPruner {
    private BackupPruner() {
    }

    /** @return the names deleted */
    public static List<String> prune(Path target, int keep) {
        List<String> names;
        try (Stream<Path> entries = Files.list(target)) {
            names = entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw DurableFiles.failure("cannot list " + target, e);
        }
        List<String> doomed = Retention.toDelete(names, keep);
        for (String name : doomed) {
            DurableFiles.deleteQuietly(target.resolve(name));
        }
        return doomed;
    }
}
