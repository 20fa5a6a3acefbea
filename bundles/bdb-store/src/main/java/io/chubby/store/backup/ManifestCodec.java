package io.chubby.store.backup;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The text form of a {@link Manifest}: UTF-8 {@code key=value} lines in a fixed order, so the same
 * backup always gives the same bytes:
 * <pre>
 * format=1
 * cell=NAME
 * replica=ID
 * taken.at=2026-12-05T19:05:12.123Z      (ISO-8601, UTC)
 * applied.index=N                        (group 0's)
 * epoch=E
 * group.G=APPLIED CHECKSUM               (one line per group, ascending)
 * file.NAME=SIZE SHA256                  (one line per file, by name)
 * </pre>
 */
public final class ManifestCodec {
    static final String FORMAT = "1";

    private ManifestCodec() {
    }

    public static byte[] encode(Manifest m) {
        StringBuilder b = new StringBuilder();
        line(b, "format", FORMAT);
        line(b, "cell", m.cell());
        line(b, "replica", Integer.toString(m.replicaId()));
        line(b, "taken.at", m.takenAt().toString());
        line(b, "applied.index", Long.toString(m.appliedIndex()));
        line(b, "epoch", Long.toString(m.state().epoch()));
        m.state().groups().forEach((g, s) -> line(b, "group." + g, s.appliedIndex() + " " + s.checksum()));
        for (FileDigest f : m.files()) {
            line(b, "file." + f.name(), f.size() + " " + f.sha256());
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder b, String key, String value) {
        b.append(key).append('=').append(value).append('\n');
    }

    /** @throws BackupException {@code CORRUPT} naming the first bad line or missing key */
    public static Manifest decode(byte[] bytes) {
        Map<String, String> keys = new LinkedHashMap<>();
        Map<Integer, GroupState> groups = new TreeMap<>();
        List<FileDigest> files = new ArrayList<>();
        try {
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    throw corrupt("line without key=value: '" + line + "'");
                }
                String key = line.substring(0, eq);
                String value = line.substring(eq + 1);
                if (key.startsWith("group.")) {
                    String[] w = pair(line, value);
                    groups.put(Integer.parseInt(key.substring(6)), new GroupState(Long.parseLong(w[0]), Long.parseLong(w[1])));
                } else if (key.startsWith("file.")) {
                    String[] w = pair(line, value);
                    files.add(new FileDigest(key.substring(5), Long.parseLong(w[0]), w[1]));
                } else {
                    keys.put(key, value);
                }
            }
            if (!FORMAT.equals(keys.get("format"))) {
                throw corrupt("unknown manifest format '" + keys.get("format") + "' (this build reads " + FORMAT + ")");
            }
            Manifest m = new Manifest(required(keys, "cell"), Integer.parseInt(required(keys, "replica")),
                    Instant.parse(required(keys, "taken.at")),
                    new StateSummary(Long.parseLong(required(keys, "epoch")), groups), files);
            if (m.appliedIndex() != Long.parseLong(required(keys, "applied.index"))) {
                throw corrupt("applied.index differs from group.0's");
            }
            return m;
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw corrupt("bad value: " + e.getMessage());
        }
    }

    private static String[] pair(String line, String value) {
        String[] w = value.split(" ");
        if (w.length != 2) {
            throw corrupt("expected two words after '=': '" + line + "'");
        }
        return w;
    }

    private static String required(Map<String, String> keys, String key) {
        String v = keys.get(key);
        if (v == null) {
            throw corrupt("no " + key);
        }
        return v;
    }

    private static BackupException corrupt(String why) {
        return new BackupException(BackupException.Problem.CORRUPT, "manifest: " + why);
    }
}
