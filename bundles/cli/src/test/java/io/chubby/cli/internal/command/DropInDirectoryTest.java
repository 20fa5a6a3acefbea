package io.chubby.cli.internal.command;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DropInDirectory}: what a drop-in directory asks {@code chubby bundle watch} to roll, and what it remembers. */
class DropInDirectoryTest {
    @TempDir
    Path dir;

    private static byte[] jar(String bsn, String version) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn + ";singleton:=true");
        a.putValue("Bundle-Version", version);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(buf, m)) {
            out.flush();
        }
        return buf.toByteArray();
    }

    private static List<String> rolls(DropInDirectory.Plan p) {
        return p.rolls().stream().map(DropInDirectory.Jar::toString).toList();
    }

    @Test
    void aNewJarIsRolledOnceAndARolledOneNotAgainEvenByANewWatcher() throws IOException {
        Files.write(dir.resolve("acl.jar"), jar("io.chubby.acl", "1.0.0"));
        DropInDirectory d = new DropInDirectory(dir, 60_000);
        DropInDirectory.Plan p = d.scan(false, 0);
        assertEquals(List.of("acl.jar (io.chubby.acl 1.0.0)"), rolls(p));
        d.rolledOut(p.rolls().get(0));
        assertTrue(d.scan(false, 1).isEmpty());
        assertTrue(Files.readString(dir.resolve(DropInDirectory.RECORD)).contains("acl.jar="));
        assertTrue(new DropInDirectory(dir, 60_000).scan(false, 2).isEmpty(), "the record is read by the next watcher");
    }

    @Test
    void aJarIsTakenOnlyOnceTwoScansAgreeOnIt() throws IOException {
        DropInDirectory d = new DropInDirectory(dir, 60_000);
        Path f = dir.resolve("dns.jar");
        Files.write(f, jar("io.chubby.dns", "1.0.0"));
        assertTrue(d.scan(true, 0).isEmpty(), "first seen: maybe still being written");
        Files.write(f, jar("io.chubby.dns", "1.0.1-longer-version"));
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        assertTrue(d.scan(true, 1).isEmpty(), "changed since: still not taken");
        assertEquals(List.of("dns.jar (io.chubby.dns 1.0.1-longer-version)"), rolls(d.scan(true, 2)));
    }

    @Test
    void aChangedJarRollsAgainARenamedOneUpdatesAndADeletedOneIsUninstalled() throws IOException {
        Files.write(dir.resolve("mirror-1.jar"), jar("io.chubby.mirror", "1.0.0"));
        Files.write(dir.resolve("proxy.jar"), jar("io.chubby.proxy", "1.0.0"));
        DropInDirectory d = new DropInDirectory(dir, 60_000);
        for (DropInDirectory.Jar j : d.scan(false, 0).rolls()) {
            d.rolledOut(j);
        }
        Files.write(dir.resolve("proxy.jar"), jar("io.chubby.proxy", "1.1.0"));
        Files.delete(dir.resolve("mirror-1.jar"));
        Files.write(dir.resolve("mirror-2.jar"), jar("io.chubby.mirror", "2.0.0"));
        DropInDirectory.Plan p = d.scan(false, 1);
        assertEquals(List.of(), p.removals(), "a renamed jar is not an uninstall");
        assertEquals(List.of("mirror-2.jar (io.chubby.mirror 2.0.0)", "proxy.jar (io.chubby.proxy 1.1.0)"), rolls(p));
        p.rolls().forEach(j -> {
            try {
                d.rolledOut(j);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(d.scan(false, 2).isEmpty(), "mirror-1.jar is forgotten once mirror-2.jar rolled");

        Files.delete(dir.resolve("proxy.jar"));
        DropInDirectory.Plan gone = d.scan(false, 3);
        assertEquals(List.of(new DropInDirectory.Removal("proxy.jar", "io.chubby.proxy")), gone.removals());
        d.removed(gone.removals().get(0));
        assertTrue(d.scan(false, 4).isEmpty());
        assertTrue(new DropInDirectory(dir, 60_000).scan(false, 5).isEmpty());
    }

    /** A jar rewritten in place with a build of the same size is read again, not taken from the last scan's reading. */
    @Test
    void aJarRewrittenWithTheSameSizeIsReadAgain() throws IOException {
        Path f = dir.resolve("acl.jar");
        Files.write(f, padded(jar("io.chubby.acl", "1.0.0")));
        DropInDirectory d = new DropInDirectory(dir, 60_000);
        d.rolledOut(d.scan(false, 0).rolls().get(0));
        FileTime same = Files.getLastModifiedTime(f);
        Path moved = dir.resolve(".acl.jar.tmp");
        Files.write(moved, padded(jar("io.chubby.acl", "1.0.1")));
        Files.setLastModifiedTime(moved, same);
        assertEquals(Files.size(f), Files.size(moved), "a build of the same size and time");
        Files.move(moved, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(List.of("acl.jar (io.chubby.acl 1.0.1)"), rolls(d.scan(false, 1)), "moved over it: another file");
    }

    /** The jar padded to 1 KiB (a zip reader stops at its entries): two builds of one size. */
    private static byte[] padded(byte[] jar) {
        return java.util.Arrays.copyOf(jar, 1024);
    }

    @Test
    void aFailedRollWaitsForAChangeOrTheRetryPeriod() throws IOException {
        Files.write(dir.resolve("acl.jar"), jar("io.chubby.acl", "1.0.0"));
        DropInDirectory d = new DropInDirectory(dir, 60_000);
        DropInDirectory.Jar j = d.scan(false, 0).rolls().get(0);
        d.failed(j.file(), j.sha256(), 0);
        assertTrue(d.scan(false, 59_999).isEmpty(), "not tried again at once");
        assertEquals(1, d.scan(false, 60_000).rolls().size(), "tried again after the period");
        d.failed(j.file(), j.sha256(), 60_000);
        Files.write(dir.resolve("acl.jar"), jar("io.chubby.acl", "1.0.1"));
        assertEquals(List.of("acl.jar (io.chubby.acl 1.0.1)"), rolls(d.scan(false, 60_001)), "a new build at once");
    }

    @Test
    void refusesWhatIsNotABundleAndTwoJarsOfOneBundleAndIgnoresDotFiles() throws IOException {
        Files.write(dir.resolve("notes.jar"), "not a jar".getBytes());
        Files.write(dir.resolve("a.jar"), jar("io.chubby.acl", "1.0.0"));
        Files.write(dir.resolve("b.jar"), jar("io.chubby.acl", "1.1.0"));
        Files.write(dir.resolve(".c.jar"), jar("io.chubby.proxy", "1.0.0"));
        Files.write(dir.resolve("readme.txt"), "hello".getBytes());
        DropInDirectory d = new DropInDirectory(dir, 60_000);
        DropInDirectory.Plan p = d.scan(false, 0);
        assertEquals(List.of(), p.rolls());
        assertEquals(3, p.refused().size(), p.refused().toString());
        assertTrue(p.refused().get(0).startsWith("notes.jar: not an OSGi bundle"), p.refused().toString());
        assertTrue(p.refused().get(1).startsWith("a.jar: 2 jars of this directory are io.chubby.acl (a.jar, b.jar)"),
                p.refused().toString());
        assertTrue(d.scan(false, 1).isEmpty(), "refused once, reported once until a change");
        Files.delete(dir.resolve("b.jar"));
        assertEquals(List.of("a.jar (io.chubby.acl 1.0.0)"), rolls(d.scan(false, 2)));
    }
}
