package io.chubby.store.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks a backup directory: the manifest parses; every listed file is there with its size and
 * SHA-256; no other {@code .jdb} file is there; and the copy, opened read-only with JE, holds the
 * applied index, checksum of every group and epoch the manifest records.
 */
public final class BackupVerifier {
    /** The outcome: the manifest (null when it could not be read) and every problem found (none: ok). */
    public record Report(Path directory, Manifest manifest, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }

        /** Lines for an operator: the verdict, what the backup holds, then each problem. */
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            out.add((ok() ? "OK " : "CORRUPT ") + directory);
            if (manifest != null) {
                out.add("cell=" + manifest.cell() + " replica=" + manifest.replicaId() + " takenAt=" + manifest.takenAt()
                        + " appliedIndex=" + manifest.appliedIndex() + " epoch=" + manifest.state().epoch());
                manifest.state().groups().forEach((g, s) -> out.add("group " + g + ": appliedIndex=" + s.appliedIndex()
                        + " checksum=" + s.checksum()));
                out.add("files=" + manifest.files().size() + " bytes=" + manifest.totalBytes());
            }
            problems.forEach(p -> out.add("problem: " + p));
            return out;
        }
    }

    private BackupVerifier() {
    }

    public static Report verify(Path backupDir) {
        List<String> problems = new ArrayList<>();
        Manifest m;
        try {
            m = ManifestCodec.decode(Files.readAllBytes(backupDir.resolve(Manifest.FILE_NAME)));
        } catch (NoSuchFileException e) {
            return new Report(backupDir, null, List.of("no " + Manifest.FILE_NAME + " in " + backupDir
                    + " (not a backup, or an incomplete one)"));
        } catch (IOException | BackupException e) {
            return new Report(backupDir, null, List.of(e.getMessage()));
        }
        Path je = backupDir.resolve(Manifest.JE_DIR);
        for (FileDigest expected : m.files()) {
            Path file = je.resolve(expected.name());
            try {
                FileDigest actual = DurableFiles.digest(file);
                if (actual.size() != expected.size()) {
                    problems.add(expected.name() + ": size " + actual.size() + ", manifest says " + expected.size());
                } else if (!actual.sha256().equals(expected.sha256())) {
                    problems.add(expected.name() + ": SHA-256 " + actual.sha256() + ", manifest says " + expected.sha256());
                }
            } catch (NoSuchFileException e) {
                problems.add(expected.name() + ": missing");
            } catch (IOException e) {
                problems.add(expected.name() + ": cannot read: " + e);
            }
        }
        problems.addAll(extraFiles(je, m));
        if (problems.isEmpty()) {
            problems.addAll(stateProblems(je, m));
        }
        return new Report(backupDir, m, List.copyOf(problems));
    }

    private static List<String> extraFiles(Path je, Manifest m) {
        Set<String> listed = m.files().stream().map(FileDigest::name).collect(Collectors.toSet());
        try (Stream<Path> files = Files.list(je)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jdb") && !listed.contains(n))
                    .sorted().map(n -> n + ": not in the manifest").toList();
        } catch (IOException e) {
            return List.of("cannot list " + je + ": " + e);
        }
    }

    /** Opens the copy read-only: its state must be the manifest's. */
    private static List<String> stateProblems(Path je, Manifest m) {
        try {
            StateSummary actual = StateReader.read(je);
            if (actual.equals(m.state())) {
                return List.of();
            }
            return List.of("the JE copy holds epoch=" + actual.epoch() + " groups(appliedIndex, checksum)="
                    + actual.groups() + ", manifest says epoch=" + m.state().epoch() + " groups=" + m.state().groups());
        } catch (BackupException e) {
            return List.of(e.getMessage());
        }
    }
}
