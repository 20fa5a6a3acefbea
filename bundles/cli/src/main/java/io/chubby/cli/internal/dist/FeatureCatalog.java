package io.chubby.cli.internal.dist;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The features a distribution knows, read from its {@code conf/features.properties}: each a list
 * of bundle jars ({@code system/}, {@code bundle/}, {@code proxy/}), other files, and the PIDs that
 * configure it. {@code core} is always part of a selection. Immutable.
 */
public record FeatureCatalog(List<Feature> features) {
    public static final String FILE = "conf/features.properties";
    public static final String CORE = "core";

    /** One feature: paths relative to the distribution root. */
    public record Feature(String name, String description, List<String> jars, List<String> files, String config) {
    }

    public FeatureCatalog {
        features = List.copyOf(features);
        if (features.stream().noneMatch(f -> f.name().equals(CORE))) {
            throw new IllegalArgumentException(FILE + " names no feature '" + CORE + "'");
        }
    }

    /** Reads {@code HOME/conf/features.properties}. */
    public static FeatureCatalog load(Path home) {
        Path f = home.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException(home + " is not a distribution with features (no " + FILE + ")");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
        return parse(p, f.toString());
    }

    static FeatureCatalog parse(Properties p, String source) {
        List<Feature> out = new ArrayList<>();
        for (String name : list(p.getProperty("features", ""))) {
            String jars = p.getProperty(name + ".jars");
            if (jars == null) {
                throw new IllegalStateException(source + ": feature " + name + " has no " + name + ".jars");
            }
            for (String j : list(jars)) {
                if (!j.matches("(system|bundle|proxy)/[^/]+\\.jar")) {
                    throw new IllegalStateException(source + ": " + name + ".jars: " + j
                            + " is not system/X.jar, bundle/X.jar or proxy/X.jar");
                }
            }
            out.add(new Feature(name, p.getProperty(name + ".description", "").strip(), list(jars),
                    list(p.getProperty(name + ".files", "")), p.getProperty(name + ".config", "").strip()));
        }
        return new FeatureCatalog(out);
    }

    /** The feature names in the file's order. */
    public List<String> names() {
        return features.stream().map(Feature::name).toList();
    }

    /**
     * The features {@code requested} names, with {@code core} first and the rest in the file's
     * order, each once.
     *
     * @throws IllegalArgumentException naming the unknown features and the known ones
     */
    public List<Feature> select(List<String> requested) {
        Set<String> unknown = new LinkedHashSet<>();
        Set<String> wanted = new LinkedHashSet<>();
        wanted.add(CORE);
        for (String r : requested) {
            String n = r.strip();
            if (n.isEmpty()) {
                continue;
            }
            if (names().contains(n)) {
                wanted.add(n);
            } else {
                unknown.add(n);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown feature" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + "; known features: " + String.join(", ", names()));
        }
        return features.stream().filter(f -> wanted.contains(f.name())).toList();
    }

    /** Comma- or whitespace-separated entries. */
    static List<String> list(String value) {
        return Arrays.stream(value.split("[,\\s]+")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
