package io.chubby.cli.internal.dist;

import io.chubby.cli.internal.dist.FeatureCatalog.Feature;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Assembles a distribution with the files of some features from a full one ({@code home}): checks
 * that every listed file exists, that the bundle set of a replica ({@code system/} +
 * {@code bundle/}) and, when the features ship {@code bin/chubby-proxy}, of a proxy node
 * ({@code system/} + {@code proxy/}) resolve ({@link ResolverLoader}), and only then copies them
 * into a staging directory beside {@code out} and renames it to {@code out}.
 */
public final class Assembler {
    static final String CONFIG = "conf/config.properties";
    static final String PROXY_SCRIPT = "bin/chubby-proxy";

    private final Path home;
    private final FeatureCatalog catalog;

    public Assembler(Path home) {
        this.home = home.toAbsolutePath().normalize();
        this.catalog = FeatureCatalog.load(this.home);
    }

    public FeatureCatalog catalog() {
        return catalog;
    }

    /** What {@link #plan} chose: the features, jars and other files (relative paths), in order. */
    public record Plan(List<Feature> features, List<String> jars, List<String> files) {
        public boolean proxyNode() {
            return files.contains(PROXY_SCRIPT);
        }

        public List<String> jars(String dir) {
            return jars.stream().filter(j -> j.startsWith(dir + "/")).toList();
        }

        public List<String> featureNames() {
            return features.stream().map(Feature::name).toList();
        }
    }

    /** One set of bundles that does not resolve, and why (one line per unresolved requirement). */
    public record Unresolved(String set, List<String> lines) {
    }

    /** The features named (core implied) and their files; unknown names throw IllegalArgumentException. */
    public Plan plan(List<String> requested) {
        List<Feature> chosen = catalog.select(requested);
        Set<String> jars = new LinkedHashSet<>();
        Set<String> files = new LinkedHashSet<>();
        for (Feature f : chosen) {
            jars.addAll(f.jars());
            files.addAll(f.files());
        }
        List<String> jarList = new ArrayList<>(jars);
        if (!files.contains(PROXY_SCRIPT)) {
            jarList.removeIf(j -> j.startsWith("proxy/"));
        }
        for (String p : concat(jarList, files)) {
            if (!Files.exists(home.resolve(p))) {
                throw new IllegalStateException(home + " has no " + p + " (listed by " + FeatureCatalog.FILE + ")");
            }
        }
        return new Plan(chosen, List.copyOf(jarList), List.copyOf(files));
    }

    /** The bundle sets of {@code plan} that do not resolve; empty when all do. */
    public List<Unresolved> resolve(Plan plan) {
        String extra = systemPackagesExtra();
        List<Unresolved> out = new ArrayList<>();
        check("replica (system/ + bundle/)", concat(plan.jars("system"), plan.jars("bundle")), extra, plan, out);
        if (plan.proxyNode()) {
            check("proxy node (system/ + proxy/)", concat(plan.jars("system"), plan.jars("proxy")), extra, plan, out);
        }
        return out;
    }

    private void check(String set, List<String> jars, String extra, Plan plan, List<Unresolved> out) {
        List<Map<String, String>> rows = ResolverLoader.check(home.resolve("bin/felix.jar"), extra,
                jars.stream().map(home::resolve).toList());
        if (rows.isEmpty()) {
            return;
        }
        List<String> lines = new ArrayList<>();
        for (Map<String, String> r : rows) {
            lines.add(describe(r, plan));
        }
        out.add(new Unresolved(set, lines.stream().distinct().toList()));
    }

    private String describe(Map<String, String> r, Plan plan) {
        String jar = relative(r.get("jar"));
        String who = (jar.isEmpty() ? "" : jar + " (" + r.get("bundle") + ")");
        if (r.get("requirement").isEmpty()) {
            return who + ": " + r.get("detail");
        }
        String providers = r.get("providers");
        if (!providers.isEmpty()) {
            List<String> rel = List.of(providers.split(",")).stream().map(this::relative).toList();
            return who + " needs " + r.get("requirement") + " from " + String.join(", ", rel)
                    + ", which does not resolve itself";
        }
        StringBuilder s = new StringBuilder(who).append(" needs ").append(r.get("requirement"))
                .append(": nothing in features ").append(String.join(",", plan.featureNames())).append(" provides it");
        if ("osgi.wiring.package".equals(r.get("namespace")) && !r.get("name").isEmpty()) {
            List<String> by = featuresExporting(r.get("name"), plan);
            if (!by.isEmpty()) {
                s.append(" (feature ").append(String.join(" or ", by)).append(" does)");
            }
        }
        return s.toString();
    }

    /** Features not chosen whose jars export {@code pkg}: a hint, the resolver has decided already. */
    private List<String> featuresExporting(String pkg, Plan plan) {
        List<String> out = new ArrayList<>();
        for (Feature f : catalog.features()) {
            if (plan.featureNames().contains(f.name())) {
                continue;
            }
            for (String j : f.jars()) {
                Path p = home.resolve(j);
                if (Files.isRegularFile(p) && Exports.of(p).contains(pkg)) {
                    out.add(f.name());
                    break;
                }
            }
        }
        return out;
    }

    private String relative(String path) {
        if (path == null || path.isEmpty()) {
            return "";
        }
        Path p = Path.of(path);
        return p.startsWith(home) ? home.relativize(p).toString() : path;
    }

    /** {@code org.osgi.framework.system.packages.extra} as the distribution's config.properties sets it. */
    String systemPackagesExtra() {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(home.resolve(CONFIG), StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + home.resolve(CONFIG) + ": " + e.getMessage(), e);
        }
        return p.getProperty("org.osgi.framework.system.packages.extra", "").strip();
    }

    /**
     * Copies the plan's files into {@code out} (through a staging directory beside it): the chosen
     * jars and files, {@code conf/config.properties} starting only the system jars present,
     * {@code conf/features.properties} listing only the chosen features, and an empty {@code deploy/}.
     *
     * @param replace replace an existing {@code out} (only a distribution or an empty directory)
     */
    public void write(Plan plan, Path out, boolean replace, String command) {
        Path target = out.toAbsolutePath().normalize();
        Path stage = target.resolveSibling("." + target.getFileName() + ".assembling");
        try {
            delete(stage);
            Files.createDirectories(stage);
            for (String p : concat(plan.jars(), plan.files())) {
                if (p.equals(CONFIG) || p.equals(FeatureCatalog.FILE)) {
                    continue;
                }
                copy(home.resolve(p), stage.resolve(p));
            }
            Files.createDirectories(stage.resolve("conf"));
            Files.createDirectories(stage.resolve("deploy"));
            Files.createDirectories(stage.resolve("bundle"));
            String config = Files.readString(home.resolve(CONFIG), StandardCharsets.UTF_8);
            Files.writeString(stage.resolve(CONFIG), StartLists.keepOnly(config, Set.copyOf(plan.jars())),
                    StandardCharsets.UTF_8);
            String features = Files.readString(home.resolve(FeatureCatalog.FILE), StandardCharsets.UTF_8);
            Files.writeString(stage.resolve(FeatureCatalog.FILE), "# Assembled by '" + command + "'.\n"
                    + features.replaceFirst("(?m)^features\\s*=.*$",
                    "features = " + String.join(", ", plan.featureNames())), StandardCharsets.UTF_8);
            if (Files.exists(target)) {
                checkTarget(target, replace);
                delete(target);
            }
            Files.createDirectories(target.getParent());
            Files.move(stage, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the distribution to " + target + ": " + e.getMessage(), e);
        } finally {
            delete(stage);
        }
    }

    /**
     * Whether {@code out} may be written: absent, an empty directory, or (with {@code replace}) a
     * distribution (it has {@code conf/features.properties}). Checked before anything is resolved.
     */
    public static void checkTarget(Path out, boolean replace) {
        if (!Files.exists(out)) {
            return;
        }
        try (Stream<Path> s = Files.list(out)) {
            if (s.findAny().isEmpty()) {
                return;
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(out + " is not a directory");
        }
        if (!replace) {
            throw new IllegalArgumentException(out + " exists and is not empty (--force replaces a distribution)");
        }
        if (!Files.isRegularFile(out.resolve(FeatureCatalog.FILE))) {
            throw new IllegalArgumentException(out + " is not a distribution (no " + FeatureCatalog.FILE
                    + "): not replaced");
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        if (Files.isDirectory(from)) {
            try (Stream<Path> s = Files.walk(from)) {
                for (Path p : s.toList()) {
                    Path dest = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(dest);
                    } else {
                        Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
            return;
        }
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
    }

    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static List<String> concat(List<String> a, Set<String> b) {
        return concat(a, new ArrayList<>(b));
    }
}
