package io.chubby.it;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Pax Exam provisioning shared by the OSGi integration tests, and the small helpers their test
 * methods share inside the container (free ports, bundles by name). Bundles come from the assembled
 * distribution (target/chubby/system and target/chubby/bundle, passed as file URIs): reactor-built
 * bundles are not in the local repository during {@code verify}, and provisioning the very files
 * the distribution ships is what we want to prove resolves.
 */
final class ExamOptions {
    private ExamOptions() {
    }

    /** The assembled distribution directory (failsafe sets chubby.dist). */
    static Path dist() {
        String d = System.getProperty("chubby.dist");
        if (d == null) {
            throw new IllegalStateException("system property chubby.dist is not set (run through failsafe)");
        }
        Path p = Path.of(d);
        if (!Files.isDirectory(p.resolve("system"))) {
            throw new IllegalStateException(p + " is not an assembled distribution (run mvn package first)");
        }
        return p;
    }

    /** A fresh directory under target/it-tmp. */
    static Path tempDir(String prefix) {
        try {
            Path base = Path.of(System.getProperty("chubby.it.tmp", System.getProperty("java.io.tmpdir")));
            Files.createDirectories(base);
            return Files.createTempDirectory(base, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Framework settings every container needs: slf4j from the system bundle, JUnit, no console. */
    static Option base() {
        return composite(
                cleanCaches(),
                systemPackages(
                        "org.slf4j;version=2.0.17", "org.slf4j.spi;version=2.0.17",
                        "org.slf4j.event;version=2.0.17", "org.slf4j.helpers;version=2.0.17",
                        "org.slf4j;version=1.7.36", "org.slf4j.spi;version=1.7.36",
                        "org.slf4j.event;version=1.7.36", "org.slf4j.helpers;version=1.7.36"),
                frameworkProperty("gosh.args").value("--nointeractive"),
                systemProperty("gosh.args").value("--nointeractive"),
                systemProperty("org.slf4j.simpleLogger.defaultLogLevel").value("info"),
                systemProperty("org.slf4j.simpleLogger.showDateTime").value("true"),
                systemProperty("org.slf4j.simpleLogger.showThreadName").value("true"),
                systemProperty("org.slf4j.simpleLogger.log.org.apache.mina").value("warn"),
                junitBundles());
    }

    /** The named infrastructure bundles from the distribution's system/ dir, in the given order. */
    static Option systemBundles(List<String> names) {
        Path dir = dist().resolve("system");
        List<Option> out = new ArrayList<>();
        for (String n : names) {
            Path jar = dir.resolve(n + ".jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("missing " + jar);
            }
            out.add(bundle(jar.toUri().toString()));
        }
        return composite(out.toArray(new Option[0]));
    }

    /**
     * Exactly the infrastructure bundles the launcher starts: the entries of
     * {@code felix.auto.start.2} in the distribution's conf/config.properties, in that order.
     */
    static Option launcherSystemBundles() {
        Properties conf = new Properties();
        Path file = dist().resolve("conf").resolve("config.properties");
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            conf.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String list = conf.getProperty("felix.auto.start.2", "").trim();
        if (list.isEmpty()) {
            throw new IllegalStateException("no felix.auto.start.2 in " + file);
        }
        List<Option> out = new ArrayList<>();
        for (String loc : list.split("\\s+")) {
            String uri = loc.replace("${chubby.home}", dist().toString());
            if (!Files.isRegularFile(Path.of(URI.create(uri)))) {
                throw new IllegalStateException(file + " names a missing bundle: " + uri);
            }
            out.add(bundle(uri));
        }
        return composite(out.toArray(new Option[0]));
    }

    /** Every product bundle of the distribution's bundle/ dir. */
    static Option productBundles() {
        return bundlesOf("bundle", null);
    }

    /**
     * Every jar of the distribution's directory {@code dir} ({@code bundle}, {@code proxy}) but the
     * one named {@code leftOut} (null: none left out), which a hot-swap test installs itself.
     */
    static Option bundlesOf(String dir, String leftOut) {
        try (Stream<Path> s = Files.list(dist().resolve(dir))) {
            List<Option> out = s.filter(p -> p.toString().endsWith(".jar"))
                    .filter(p -> !p.getFileName().toString().equals(leftOut)).sorted()
                    .map(p -> (Option) bundle(p.toUri().toString())).toList();
            if (out.isEmpty()) {
                throw new IllegalStateException("no bundles in " + dist().resolve(dir));
            }
            return composite(out.toArray(new Option[0]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * FileInstall watching {@code root/etc} (as the launcher watches a replica's etc/), its temp dir
     * under {@code root}, and no write-back of configurations a test makes through Config Admin.
     */
    static Option fileInstall(Path root) {
        return composite(
                frameworkProperty("felix.fileinstall.dir").value(root.resolve("etc").toString()),
                frameworkProperty("felix.fileinstall.tmpdir").value(root.resolve("fi-tmp").toString()),
                frameworkProperty("felix.fileinstall.enableConfigSave").value("false"));
    }

    /** The installed bundle with this symbolic name, or null. */
    static Bundle find(BundleContext context, String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    /**
     * The distribution's {@code bundle/JAR} with the next Bundle-Version of {@code installed} (micro
     * + 1, qualifier {@code next}): what an operator's next build is to the framework, for
     * {@code Bundle.update} tests.
     */
    static Path nextBuild(Bundle installed, String jar) throws IOException {
        Path out = tempDir(jar.replace(".jar", "") + "-build").resolve(jar.replace(".jar", "-next.jar"));
        Path from = dist().resolve("bundle").resolve(jar);
        try (java.util.jar.JarInputStream in = new java.util.jar.JarInputStream(Files.newInputStream(from))) {
            java.util.jar.Manifest mf = new java.util.jar.Manifest(in.getManifest());
            org.osgi.framework.Version v = installed.getVersion();
            mf.getMainAttributes().putValue("Bundle-Version", v.getMajor() + "." + v.getMinor() + "."
                    + (v.getMicro() + 1) + ".next");
            try (java.io.OutputStream os = Files.newOutputStream(out);
                 java.util.jar.JarOutputStream jos = new java.util.jar.JarOutputStream(os, mf)) {
                for (java.util.jar.JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    jos.putNextEntry(new java.util.jar.JarEntry(e.getName()));
                    in.transferTo(jos);
                    jos.closeEntry();
                }
            }
        }
        return out;
    }

    /** A loopback port that was free just now. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
