package io.chubby.store.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Test helper: a copy of a live environment's files, as a crash at this instant would leave them. */
final class StoreFiles {
    private StoreFiles() {
    }

    /** Copies {@code <dataDir>/je} (all but the lock file) to {@code <target>/je}. */
    static Path crashCopy(Path dataDir, Path target) {
        Path from = dataDir.resolve(BdbStore.ENV_DIR);
        Path to = target.resolve(BdbStore.ENV_DIR);
        try (Stream<Path> files = Files.list(from)) {
            Files.createDirectories(to);
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".jdb")) {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }
}
