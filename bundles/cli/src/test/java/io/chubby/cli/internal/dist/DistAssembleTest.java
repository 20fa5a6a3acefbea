package io.chubby.cli.internal.dist;

import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code chubby dist assemble} over a small distribution of hand-made bundles (manifests only),
 * resolved by the real Felix resolver from {@code bin/felix.jar} (the Felix framework jar of this
 * test's class path, so the command's own class loader path runs): what is copied, what the new
 * {@code conf/} says, and the refusals (unknown feature, a missing capability named with the
 * bundle that needs it and the feature that has it, system packages taken from config.properties,
 * an existing directory).
 */
class DistAssembleTest {
    @TempDir
    Path tmp;

    private final Harness h = new Harness();
    private Path home;

    /**
     * core: system/base.jar exports base.api; bundle/app.jar imports base.api and org.slf4j 2.x
     * (only the system bundle's extra packages have it) and exports app.api.
     * web: bundle/page.jar imports servlet.api [1,2). http: system/servlet.jar exports servlet.api 1.5.
     */
    @BeforeEach
    void distribution() throws Exception {
        home = tmp.resolve("home");
        Files.createDirectories(home.resolve("bin"));
        Files.copy(Path.of(FrameworkFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
                home.resolve("bin/felix.jar"));
        script("bin/chubby");
        script("bin/chubby-server");
        Files.createDirectories(home.resolve("lib/cli"));
        Files.writeString(home.resolve("lib/cli/chubby-cli.jar"), "not read");
        bundle("system/base.jar", "base", Map.of("Export-Package", "base.api;version=\"1.0\""));
        bundle("system/servlet.jar", "servlet", Map.of("Export-Package", "servlet.api;version=\"1.5\";uses:=\"a,b\",servlet.http;version=\"1.5\""));
        bundle("bundle/app.jar", "app", Map.of("Import-Package", "base.api;version=\"[1,2)\",org.slf4j;version=\"[2,3)\"",
                "Export-Package", "app.api;version=\"1.0\""));
        bundle("bundle/page.jar", "page", Map.of("Import-Package", "servlet.api;version=\"[1,2)\",app.api"));
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/config.properties"), """
                org.osgi.framework.system.packages.extra= \\
                 org.slf4j;version=2.0.17
                felix.auto.start.2= \\
                 file:${chubby.home}/system/base.jar \\
                 file:${chubby.home}/system/servlet.jar
                felix.auto.start.3= \\
                 file:${chubby.home}/system/servlet.jar
                felix.auto.deploy.dir=${chubby.home}/bundle
                """);
        features("core.jars = system/base.jar, bundle/app.jar");
        h.env.put("CHUBBY_HOME", home.toString());
        h.workDir = tmp;
    }

    private void features(String coreJars) throws IOException {
        Files.writeString(home.resolve("conf/features.properties"), "features = core, web, http\n"
                + "core.description = the core\n" + coreJars + "\n"
                + "core.files = bin/chubby, bin/chubby-server, bin/felix.jar, lib/cli, conf/config.properties, conf/features.properties\n"
                + "core.config = io.chubby.replica (cell up)\n"
                + "web.jars = bundle/page.jar\nweb.files =\n"
                + "http.jars = system/servlet.jar\nhttp.files =\nhttp.config = org.apache.felix.http\n");
    }

    @AfterEach
    void close() {
        h.close();
    }

    private void script(String rel) throws IOException {
        Path p = home.resolve(rel);
        Files.writeString(p, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void bundle(String rel, String name, Map<String, String> headers) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", name);
        a.putValue("Bundle-Version", "1.0.0");
        headers.forEach(a::putValue);
        Path p = home.resolve(rel);
        Files.createDirectories(p.getParent());
        try (OutputStream o = Files.newOutputStream(p); JarOutputStream j = new JarOutputStream(o, m)) {
            j.flush();
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSetThatResolvesIsWrittenWithOnlyItsFilesAndCoreIsImplied() throws Exception {
        Result r = h.run("dist", "assemble", "--features", "web,http", "--out", "out");
        assertEquals(0, r.code(), r.err());
        assertEquals("features: core, web, http (known: core, web, http)", r.outLines().get(0));
        assertEquals("resolved: replica 2 system/ + 2 bundle/ jars (Felix resolver, all requirements satisfied)",
                r.outLines().get(1));
        assertTrue(r.out().contains("assembled " + tmp.resolve("out") + ": bin/ lib/ conf/ system/ bundle/ deploy/\n"), r.out());
        assertTrue(r.out().contains("  http: configured by org.apache.felix.http\n"), r.out());
        Path out = tmp.resolve("out");
        assertEquals(List.of("bin", "bundle", "conf", "deploy", "lib", "system"), names(out));
        assertEquals(List.of("app.jar", "page.jar"), names(out.resolve("bundle")));
        assertEquals(List.of("base.jar", "servlet.jar"), names(out.resolve("system")));
        assertEquals(List.of(), names(out.resolve("deploy")));
        assertTrue(Files.isExecutable(out.resolve("bin/chubby")));
        assertTrue(Files.readString(out.resolve("conf/features.properties")).contains("\nfeatures = core, web, http\n"));
        assertFalse(Files.exists(tmp.resolve(".out.assembling")));
    }

    @Test
    void theNewConfigStartsOnlyTheSystemJarsItHas() throws Exception {
        assertEquals(0, h.run("dist", "assemble", "--features", "core", "--out", "out").code());
        Path out = tmp.resolve("out");
        assertEquals(List.of("base.jar"), names(out.resolve("system")));
        assertEquals(List.of("app.jar"), names(out.resolve("bundle")));
        assertEquals("""
                org.osgi.framework.system.packages.extra= \\
                 org.slf4j;version=2.0.17
                felix.auto.start.2= \\
                 file:${chubby.home}/system/base.jar
                felix.auto.start.3=
                felix.auto.deploy.dir=${chubby.home}/bundle
                """, Files.readString(out.resolve("conf/config.properties")));
    }

    @Test
    void aMissingPackageIsNamedWithTheBundleThatNeedsItAndTheFeatureThatHasIt() {
        Result r = h.run("dist", "assemble", "--features", "core,web", "--out", "out");
        assertEquals(22, r.code(), r.out());
        String line = "bundle/page.jar (page 1.0.0) needs package servlet.api [1.0.0,2.0.0): nothing in features "
                + "core,web provides it (feature http does)";
        assertTrue(r.out().contains("unresolved in replica (system/ + bundle/): " + line + "\n"), r.out());
        assertEquals(List.of("chubby: INVALID_ARGUMENT: features core,web do not resolve: " + line), r.errLines());
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
    }

    @Test
    void aBundleRemovedFromCoreIsCaughtByTheResolverWithWhatItExported() throws Exception {
        features("core.jars = bundle/app.jar");
        Result r = h.run("dist", "assemble", "--features", "core", "--out", "out");
        assertEquals(22, r.code(), r.out());
        assertTrue(r.err().contains("bundle/app.jar (app 1.0.0) needs package base.api [1.0.0,2.0.0): nothing in "
                + "features core provides it"), r.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void aBundleThatNeedsAnUnresolvedOneNamesItsProvider() throws Exception {
        features("core.jars = bundle/app.jar");
        Result r = h.run("dist", "assemble", "--features", "web,http", "--out", "out");
        assertEquals(22, r.code(), r.out());
        assertTrue(r.out().contains("bundle/page.jar (page 1.0.0) needs package app.api from bundle/app.jar, which "
                + "does not resolve itself"), r.out());
        assertTrue(r.out().contains("bundle/app.jar (app 1.0.0) needs package base.api [1.0.0,2.0.0)"), r.out());
    }

    @Test
    void theSystemPackagesAreThoseOfTheDistributionsConfig() throws Exception {
        Files.writeString(home.resolve("conf/config.properties"), "felix.auto.start.2=\n");
        Result r = h.run("dist", "assemble", "--features", "core", "--out", "out");
        assertEquals(22, r.code(), r.out());
        assertTrue(r.err().contains("bundle/app.jar (app 1.0.0) needs package org.slf4j [2.0.0,3.0.0): nothing in "
                + "features core provides it"), r.err());
    }

    @Test
    void anUnknownFeatureIsRefusedNamingTheKnownOnes() {
        Result r = h.run("dist", "assemble", "--features", "core,partitioning,dns", "--out", "out");
        assertEquals(22, r.code());
        assertEquals(List.of("chubby: INVALID_ARGUMENT: unknown features partitioning, dns; known features: core, web, http"),
                r.errLines());
        assertEquals("", r.out());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void anExistingDirectoryIsReplacedOnlyWhenItIsADistributionAndForced() throws Exception {
        Files.createDirectories(tmp.resolve("other"));
        Files.writeString(tmp.resolve("other/keep"), "mine");
        Result notEmpty = h.run("dist", "assemble", "--features", "core", "--out", "other", "--force");
        assertEquals(22, notEmpty.code());
        assertTrue(notEmpty.err().contains("is not a distribution"), notEmpty.err());
        assertEquals("mine", Files.readString(tmp.resolve("other/keep")));

        assertEquals(0, h.run("dist", "assemble", "--features", "core,web,http", "--out", "out").code());
        Result again = h.run("dist", "assemble", "--features", "core", "--out", "out");
        assertEquals(22, again.code());
        assertTrue(again.err().contains("exists and is not empty (--force replaces a distribution)"), again.err());
        Result forced = h.run("dist", "assemble", "--features", "core", "--out", "out", "--force");
        assertEquals(0, forced.code(), forced.err());
        assertEquals(List.of("app.jar"), names(tmp.resolve("out/bundle")));

        Result inside = h.run("dist", "assemble", "--features", "core", "--out", home.resolve("x").toString());
        assertEquals(22, inside.code());
        assertTrue(inside.err().contains("overlaps the source distribution"), inside.err());
    }

    @Test
    void aFeaturesFileNamingWhatTheDistributionLacksIsAFailureNotAnAssembly() throws Exception {
        features("core.jars = system/base.jar, bundle/app.jar, bundle/gone.jar");
        Result gone = h.run("dist", "assemble", "--features", "core", "--out", "out");
        assertEquals(1, gone.code());
        assertEquals(List.of("chubby: " + home + " has no bundle/gone.jar (listed by conf/features.properties)"),
                gone.errLines());
        features("core.jars = lib/cli/chubby-cli.jar");
        Result notABundlePath = h.run("dist", "assemble", "--features", "core", "--out", "out");
        assertEquals(1, notABundlePath.code());
        assertTrue(notABundlePath.err().contains("core.jars: lib/cli/chubby-cli.jar is not system/X.jar, bundle/X.jar "
                + "or proxy/X.jar"), notABundlePath.err());
        Files.delete(home.resolve("conf/features.properties"));
        Result none = h.run("dist", "assemble", "--features", "core", "--out", "out");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("is not a distribution with features (no conf/features.properties)"), none.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void exportedPackagesAreReadPastQuotedAttributes() {
        assertEquals(List.of("a.b", "c.d", "e.f"), Exports.packages("a.b;c.d;version=\"1.0\";uses:=\"x,y\",e.f;version=2"));
        assertEquals(List.of(), Exports.packages(""));
    }

    @Test
    void anEmptiedStartListDoesNotSwallowTheNextKey() {
        String text = "# c\nfelix.auto.start.3= \\\n file:${chubby.home}/system/x.jar \\\n file:other.jar\nnext=1\n";
        assertEquals("# c\nfelix.auto.start.3= \\\n file:other.jar\nnext=1\n", StartLists.keepOnly(text, java.util.Set.of()));
        assertEquals("felix.auto.start.3=\nnext=1", StartLists.keepOnly("felix.auto.start.3= \\\n file:${chubby.home}/x.jar\nnext=1",
                java.util.Set.of()));
    }
}
