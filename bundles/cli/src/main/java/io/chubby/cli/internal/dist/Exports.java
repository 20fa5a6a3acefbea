package io.chubby.cli.internal.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The package names in a jar's {@code Export-Package} header: only to name, in an error, the
 * feature that would provide a missing package. Resolution itself is the resolver's.
 */
final class Exports {
    private Exports() {
    }

    static Set<String> of(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            Manifest m = j.getManifest();
            String header = m == null ? null : m.getMainAttributes().getValue("Export-Package");
            return header == null ? Set.of() : Set.copyOf(packages(header));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar + ": " + e.getMessage(), e);
        }
    }

    /** {@code a.b;c.d;version="1.0";uses:="x,y",e.f} -> a.b, c.d, e.f (commas inside quotes do not split). */
    static List<String> packages(String header) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        StringBuilder clause = new StringBuilder();
        for (char c : (header + ",").toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                for (String part : clause.toString().split(";")) {
                    String t = part.strip();
                    if (t.contains("=") || t.contains("\"")) {
                        break;
                    }
                    if (!t.isEmpty()) {
                        out.add(t);
                    }
                }
                clause.setLength(0);
            } else {
                clause.append(c);
            }
        }
        return out;
    }
}
