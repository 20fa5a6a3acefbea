package io.chubby.cli.internal.gogo;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ReplicaBundles} in a real Felix framework: install, update, uninstall of jars sent in
 * pieces, what is refused (damaged uploads, bundles of the distribution, builds that do not
 * resolve: nothing left behind, or rolled back), and the jars kept in {@code bundles/} installed
 * again by a new framework (a replica's restart wipes the framework cache).
 */
class ReplicaBundlesTest {
    @TempDir
    Path tmp;

    private Framework framework;

    @AfterEach
    void stop() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    private ReplicaBundles start() throws BundleException {
        framework = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow().newFramework(Map.of(
                "org.osgi.framework.storage", tmp.resolve("felix-cache").toString(),
                "org.osgi.framework.storage.clean", "onFirstInit"));
        framework.start();
        return new ReplicaBundles(framework.getBundleContext(), tmp.resolve("instance"));
    }

    private static byte[] jar(String bsn, String version, String imports) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", version);
        if (imports != null) {
            a.putValue("Import-Package", imports);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(buf, m)) {
            out.flush();
        }
        return buf.toByteArray();
    }

    /** Sends the jar in pieces of 100 bytes, as chubby bundle does in bigger ones. */
    private static String send(ReplicaBundles r, String name, byte[] jar) throws Exception {
        for (int off = 0; off < jar.length; off += 100) {
            byte[] piece = java.util.Arrays.copyOfRange(jar, off, Math.min(jar.length, off + 100));
            r.chunk(name, off, Base64.getUrlEncoder().withoutPadding().encodeToString(piece));
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(jar));
    }

    private Bundle find(String bsn) {
        for (Bundle b : framework.getBundleContext().getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    @Test
    void installUpdateUninstallThroughTheFramework() throws Exception {
        ReplicaBundles r = start();
        byte[] v1 = jar("test.hot", "1.0.0", null);
        String out = r.install("a", send(r, "a", v1));
        assertTrue(out.startsWith("installed test.hot 1.0.0 (bundle "), out);
        assertTrue(out.strip().endsWith(": ACTIVE"), out);
        assertEquals(Bundle.ACTIVE, find("test.hot").getState());
        assertTrue(Files.exists(r.dir().resolve("test.hot.jar")));
        assertTrue(r.list().contains(" test.hot 1.0.0 ACTIVE replica\n"), r.list());
        assertTrue(r.list().contains("0 org.apache.felix.framework "), r.list());

        assertTrue(r.install("b", send(r, "b", v1)).startsWith("already installed: test.hot 1.0.0"));
        IllegalStateException again = assertThrows(IllegalStateException.class,
                () -> r.install("c", send(r, "c", jar("test.hot", "1.0.1", null))));
        assertTrue(again.getMessage().contains("use update"), again.getMessage());

        String up = r.update("d", send(r, "d", jar("test.hot", "1.0.1", null)));
        assertTrue(up.startsWith("updated test.hot 1.0.0 -> 1.0.1 (bundle "), up);
        assertEquals("1.0.1", find("test.hot").getVersion().toString());
        assertEquals(Bundle.ACTIVE, find("test.hot").getState());

        String un = r.uninstall("test.hot");
        assertTrue(un.startsWith("uninstalled test.hot 1.0.1 (bundle "), un);
        assertEquals(null, find("test.hot"));
        assertFalse(Files.exists(r.dir().resolve("test.hot.jar")));
        assertEquals("not installed: test.hot (nothing to do)\n", r.uninstall("test.hot"));
    }

    /** deploy: install when absent, update when added here before, a success when the same, refused over the distribution's. */
    @Test
    void deployInstallsOrUpdatesWhatWasAddedHere() throws Exception {
        ReplicaBundles r = start();
        String first = r.deploy("a", send(r, "a", jar("test.drop", "1.0.0", null)));
        assertTrue(first.startsWith("installed test.drop 1.0.0 (bundle "), first);
        String same = r.deploy("b", send(r, "b", jar("test.drop", "1.0.0", null)));
        assertTrue(same.startsWith("already at this build: test.drop 1.0.0"), same);
        String newer = r.deploy("c", send(r, "c", jar("test.drop", "1.1.0", null)));
        assertTrue(newer.startsWith("updated test.drop 1.0.0 -> 1.1.0 (bundle "), newer);
        assertEquals("1.1.0", find("test.drop").getVersion().toString());
        assertEquals(Bundle.ACTIVE, find("test.drop").getState());

        Path elsewhere = tmp.resolve("test.dist.jar");
        Files.write(elsewhere, jar("test.dist", "1.0.0", null));
        framework.getBundleContext().installBundle(elsewhere.toUri().toString()).start();
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> r.deploy("d", send(r, "d", jar("test.dist", "2.0.0", null))));
        assertTrue(refused.getMessage().contains("only bundles added with 'chubby bundle' can be changed"),
                refused.getMessage());
        assertEquals("1.0.0", find("test.dist").getVersion().toString());
    }

    /**
     * An update starts the new build once: Bundle.update restarts an active bundle and the refresh
     * after it would stop and start it again (each activation registering its services, opening its
     * ports, twice in a row).
     */
    @Test
    void anUpdateStartsTheNewBuildOnce() throws Exception {
        ReplicaBundles r = start();
        r.install("a", send(r, "a", jar("test.hot", "1.0.0", null)));
        java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        framework.getBundleContext().addBundleListener((org.osgi.framework.SynchronousBundleListener) e -> {
            if ("test.hot".equals(e.getBundle().getSymbolicName())
                    && (e.getType() == org.osgi.framework.BundleEvent.STARTED
                    || e.getType() == org.osgi.framework.BundleEvent.STOPPED)) {
                events.add((e.getType() == org.osgi.framework.BundleEvent.STARTED ? "started " : "stopped ")
                        + e.getBundle().getVersion());
            }
        });
        String up = r.update("b", send(r, "b", jar("test.hot", "1.0.1", null)));
        assertTrue(up.startsWith("updated test.hot 1.0.0 -> 1.0.1 (bundle "), up);
        assertEquals(Bundle.ACTIVE, find("test.hot").getState());
        assertEquals(java.util.List.of("stopped 1.0.0", "started 1.0.1"), events);
    }

    @Test
    void refusesDamagedUploadsAndBundlesItDidNotAdd() throws Exception {
        ReplicaBundles r = start();
        byte[] v1 = jar("test.hot", "1.0.0", null);
        send(r, "a", v1);
        IllegalStateException damaged = assertThrows(IllegalStateException.class, () -> r.install("a", "00".repeat(32)));
        assertTrue(damaged.getMessage().contains("is damaged: SHA-256"), damaged.getMessage());
        assertEquals(null, find("test.hot"));

        IllegalStateException gap = assertThrows(IllegalStateException.class, () -> r.chunk("b", 100, "AAAA"));
        assertTrue(gap.getMessage().contains("has 0 bytes, not 100"), gap.getMessage());

        Bundle other = framework.getBundleContext().installBundle("file:/opt/chubby/bundle/other.jar",
                new java.io.ByteArrayInputStream(jar("test.other", "1.0.0", null)));
        other.start();
        IllegalStateException dist = assertThrows(IllegalStateException.class,
                () -> r.uninstall("test.other"));
        assertTrue(dist.getMessage().contains("test.other is part of distribution (file:/opt/chubby/bundle/other.jar)"),
                dist.getMessage());
        assertEquals(Bundle.ACTIVE, other.getState());
        IllegalStateException notOurs = assertThrows(IllegalStateException.class,
                () -> r.update("c", send(r, "c", jar("test.other", "2.0.0", null))));
        assertTrue(notOurs.getMessage().contains("only bundles added with 'chubby bundle install'"), notOurs.getMessage());
        assertEquals("1.0.0", other.getVersion().toString());

        // a name from the command line that is a path: refused, nothing outside bundles/ touched
        Path outside = Files.writeString(tmp.resolve("outside.jar"), "not to be deleted");
        IllegalArgumentException path = assertThrows(IllegalArgumentException.class,
                () -> r.uninstall("../../outside"));
        assertTrue(path.getMessage().contains("bad bundle symbolic name: ../../outside"), path.getMessage());
        assertTrue(Files.exists(outside));
    }

    @Test
    void aBuildThatDoesNotResolveLeavesNothingOrIsRolledBack() throws Exception {
        ReplicaBundles r = start();
        byte[] broken = jar("test.hot", "1.0.0", "no.such.pkg");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.install("a", send(r, "a", broken)));
        assertTrue(e.getMessage().startsWith("test.hot 1.0.0 could not be started, nothing is left installed: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("no.such.pkg"), e.getMessage());
        assertEquals(null, find("test.hot"));
        assertFalse(Files.exists(r.dir().resolve("test.hot.jar")));

        r.install("b", send(r, "b", jar("test.hot", "1.0.0", null)));
        IllegalStateException u = assertThrows(IllegalStateException.class,
                () -> r.update("c", send(r, "c", jar("test.hot", "1.0.1", "no.such.pkg"))));
        assertTrue(u.getMessage().contains("rolled back to test.hot 1.0.0"), u.getMessage());
        assertEquals("1.0.0", find("test.hot").getVersion().toString());
        assertEquals(Bundle.ACTIVE, find("test.hot").getState());
    }

    @Test
    void keptJarsAreInstalledAgainAfterARestart() throws Exception {
        ReplicaBundles r = start();
        r.install("a", send(r, "a", jar("test.hot", "1.2.3", null)));
        send(r, "unfinished", jar("test.half", "1.0.0", null));
        send(r, "recent", jar("test.half", "1.0.0", null));
        Path stale = tmp.resolve("instance/bundles/.incoming/unfinished.part");
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
        stop();
        framework = null;

        ReplicaBundles again = start();
        assertEquals(null, find("test.hot")); // the cache was wiped, as chubby-server's is
        assertEquals(java.util.List.of("installed test.hot 1.2.3 (bundle 1): ACTIVE"), again.restore());
        assertEquals(Bundle.ACTIVE, find("test.hot").getState());
        assertFalse(Files.exists(stale), "an upload older than an hour is dropped");
        assertTrue(Files.exists(tmp.resolve("instance/bundles/.incoming/recent.part")), "one in progress is kept");
        assertEquals(java.util.List.of(), again.restore()); // already installed: nothing twice
    }
}
