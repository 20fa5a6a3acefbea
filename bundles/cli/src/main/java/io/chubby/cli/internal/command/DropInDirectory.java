package io.chubby.cli.internal.command;

import io.chubby.cli.internal.BundleHeader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A directory of bundle jars that {@code chubby bundle watch} keeps rolled out over a cell: what
 * changed since the last roll ({@link #scan}), and the record of what was rolled out, kept in the
 * directory itself ({@value #RECORD}) so a watcher started again neither rolls the same jars again
 * nor forgets the ones deleted while it was not running.
 *
 * <p>A jar is taken when it is stable: the same size and modification time at two scans in a row
 * ({@code stable = true}, the watcher's loop), so a file still being copied in is not rolled half
 * written; {@code --once} takes what is there. Names starting with a dot are ignored (the record,
 * and the {@code .x.jar.tmp} an operator moves in from). A roll that failed is not tried again
 * until its jar changes or {@code retryAfterMs} passed. Two jars with one Bundle-SymbolicName are
 * refused both. A jar is read and hashed once per version of the file, not at every scan. Used by
 * one thread.
 */
final class DropInDirectory {
    static final String RECORD = ".chubby-rolled.properties";

    /** One jar of the directory. */
    record Jar(String file, String sha256, String symbolicName, String version) {
        @Override
        public String toString() {
            return file + " (" + symbolicName + " " + version + ")";
        }
    }

    /** A jar deleted from the directory whose bundle is to be uninstalled. */
    record Removal(String file, String symbolicName) { }

    /** What to do now: uninstalls first (a renamed jar is an update, not one), then rolls; and what is refused. */
    record Plan(List<Removal> removals, List<Jar> rolls, List<String> refused) {
        boolean isEmpty() {
            return removals.isEmpty() && rolls.isEmpty() && refused.isEmpty();
        }
    }

    private final Path dir;
    private final long retryAfterMs;
    /** file -> "sha256 symbolicName" of every jar rolled out over the whole cell. */
    private final Map<String, String> rolled = new TreeMap<>();
    /** file -> sha256 ("-" for a removal) of a failed roll, and when it failed. */
    private final Map<String, Failure> failures = new HashMap<>();
    private final Map<String, String> lastSeen = new HashMap<>();
    /** file -> what it held at its size and time ("stamp") when last read. */
    private final Map<String, Read> reads = new HashMap<>();

    /** A jar as read at {@code stamp}: its SHA-256 and either its header or why it is refused. */
    private record Read(String stamp, String sha256, Jar jar, String refusal) { }

    private record Failure(String sha256, long atMs) { }

    DropInDirectory(Path dir, long retryAfterMs) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a directory");
        }
        this.dir = dir;
        this.retryAfterMs = retryAfterMs;
        Path record = dir.resolve(RECORD);
        if (Files.exists(record)) {
            Properties p = new Properties();
            try (Reader in = Files.newBufferedReader(record)) {
                p.load(in);
            }
            p.stringPropertyNames().forEach(k -> rolled.put(k, p.getProperty(k)));
        }
    }

    Path dir() {
        return dir;
    }

    /** What changed since the jars were last rolled out, at {@code nowMs}. */
    Plan scan(boolean stable, long nowMs) throws IOException {
        Map<String, Jar> present = new TreeMap<>();
        List<String> refused = new ArrayList<>();
        Map<String, String> seenNow = new HashMap<>();
        Map<String, Read> readNow = new HashMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".jar") && !p.getFileName().toString().startsWith("."))
                    .filter(Files::isRegularFile).sorted().toList();
        }
        for (Path p : files) {
            String file = p.getFileName().toString();
            // size, time at full precision and the file's identity (a jar moved over another is a new file)
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            String stamp = a.size() + "@" + a.lastModifiedTime() + "#" + a.fileKey();
            seenNow.put(file, stamp);
            if (stable && !stamp.equals(lastSeen.get(file))) {
                continue; // new or still changing: taken at the next scan if it stays so
            }
            Read read = reads.get(file);
            if (read == null || !read.stamp().equals(stamp)) {
                read = read(p, stamp); // read and hashed once per version of the file, not every poll
            }
            readNow.put(file, read);
            if (read.jar() != null) {
                present.put(file, read.jar());
            } else if (retryable(file, read.sha256(), nowMs)) {
                refused.add(file + ": " + read.refusal());
                failed(file, read.sha256(), nowMs);
            }
        }
        lastSeen.clear();
        lastSeen.putAll(seenNow);
        reads.clear();
        reads.putAll(readNow);

        Map<String, List<String>> byName = new TreeMap<>();
        present.values().forEach(j -> byName.computeIfAbsent(j.symbolicName(), k -> new ArrayList<>()).add(j.file()));
        for (Map.Entry<String, List<String>> e : byName.entrySet()) {
            if (e.getValue().size() > 1) {
                for (String file : e.getValue()) {
                    // keyed by the set of jars too: once the others are gone, the one left rolls at once
                    String key = present.remove(file).sha256() + " with " + e.getValue();
                    if (retryable(file, key, nowMs)) {
                        refused.add(file + ": " + e.getValue().size() + " jars of this directory are " + e.getKey()
                                + " (" + String.join(", ", e.getValue()) + "); keep one");
                        failed(file, key, nowMs);
                    }
                }
            }
        }

        List<Removal> removals = new ArrayList<>();
        for (Map.Entry<String, String> r : rolled.entrySet()) {
            String file = r.getKey();
            String name = r.getValue().split(" ", 2)[1];
            if (seenNow.containsKey(file)) {
                continue; // still there (changed or not)
            }
            boolean renamed = present.values().stream().anyMatch(j -> j.symbolicName().equals(name));
            if (renamed) {
                continue; // the jar under its new name rolls over it; forgotten once that succeeded
            }
            if (retryable(file, "-", nowMs)) {
                removals.add(new Removal(file, name));
            }
        }
        List<Jar> rolls = new ArrayList<>();
        for (Jar j : present.values()) {
            String done = rolled.get(j.file());
            if (done != null && done.equals(j.sha256() + " " + j.symbolicName())) {
                continue;
            }
            if (retryable(j.file(), j.sha256(), nowMs)) {
                rolls.add(j);
            }
        }
        return new Plan(removals, rolls, refused);
    }

    /** The jar is rolled out over the whole cell; a jar of the same bundle under another name is forgotten. */
    void rolledOut(Jar jar) throws IOException {
        rolled.entrySet().removeIf(e -> e.getValue().split(" ", 2)[1].equals(jar.symbolicName()));
        rolled.put(jar.file(), jar.sha256() + " " + jar.symbolicName());
        failures.remove(jar.file());
        save();
    }

    /** The bundle of a deleted jar is uninstalled over the whole cell. */
    void removed(Removal removal) throws IOException {
        rolled.remove(removal.file());
        failures.remove(removal.file());
        save();
    }

    /** A roll of {@code file} at {@code sha256} ("-" for a removal) failed at {@code nowMs}. */
    void failed(String file, String sha256, long nowMs) {
        failures.put(file, new Failure(sha256, nowMs));
    }

    private static Read read(Path p, String stamp) throws IOException {
        byte[] bytes = Files.readAllBytes(p);
        String sha = BundleRollout.sha256(bytes);
        try {
            BundleHeader h = BundleHeader.of(new ByteArrayInputStream(bytes));
            return new Read(stamp, sha, new Jar(p.getFileName().toString(), sha, h.symbolicName(), h.version()), null);
        } catch (IOException | IllegalStateException e) {
            return new Read(stamp, sha, null, e.getMessage());
        }
    }

    private boolean retryable(String file, String sha256, long nowMs) {
        Failure f = failures.get(file);
        return f == null || !f.sha256().equals(sha256) || nowMs - f.atMs() >= retryAfterMs;
    }

    private void save() throws IOException {
        Properties p = new Properties();
        rolled.forEach(p::setProperty);
        Path tmp = dir.resolve(RECORD + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp)) {
            p.store(out, "what chubby bundle watch rolled out over the cell: jar = SHA-256 Bundle-SymbolicName");
        }
        Files.move(tmp, dir.resolve(RECORD), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
