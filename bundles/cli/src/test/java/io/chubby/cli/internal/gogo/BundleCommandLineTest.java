package io.chubby.cli.internal.gogo;

import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.client.ReplicaStatus;
import io.chubby.sim.cell.InProcessReplicas;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code chubby bundle} end to end but in one JVM: three in-process replicas (master: replica 2),
 * each with its own Felix framework behind a real Gogo runtime as its admin shell, so the jar
 * (bigger than one piece) travels through the client protocol and Gogo's parser. Checks the
 * rolling order (followers first, the master last), the health check lines, the merged list and
 * its disagreements, and the report of a walk stopped at a failing replica.
 */
class BundleCommandLineTest {
    @TempDir
    Path tmp;

    private final Harness h = new Harness();
    private final List<Framework> frameworks = new ArrayList<>();
    private final List<ThreadIOImpl> threadIOs = new ArrayList<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private InProcessReplicas cell;
    private volatile String behind = "";

    @AfterEach
    void close() throws Exception {
        try {
            h.close();
        } finally {
            for (ThreadIOImpl t : threadIOs) {
                t.stop();
            }
            for (Framework f : frameworks) {
                f.stop();
                f.waitForStop(10_000);
            }
        }
    }

    private void start() throws Exception {
        cell = h.use(InProcessReplicas.start(3, 2, 1));
        // followers caught up with the master, except one a test names behind
        h.statusView = (address, s) -> s.isMaster() ? s : new ReplicaStatus(s.replicaId(), s.role(), s.masterId(),
                s.epoch(), s.commitIndex(), address.equals(behind) ? 0 : Long.MAX_VALUE, s.checksum(), s.firstLogIndex(),
                s.leaseValid(), s.sessions(), s.nodes(), s.address(), s.pid(), s.metrics(), s.groups());
        ThreadIOImpl tio = new ThreadIOImpl(); // one per JVM: it takes over System.out
        tio.start();
        threadIOs.add(tio);
        for (int id = 1; id <= 3; id++) {
            Framework f = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow().newFramework(Map.of(
                    "org.osgi.framework.storage", tmp.resolve("cache-" + id).toString(),
                    "org.osgi.framework.storage.clean", "onFirstInit"));
            f.start();
            frameworks.add(f);
            CommandProcessorImpl p = new CommandProcessorImpl(threadIOs.get(0));
            p.addCommand("chubby", new BundleCommands(new ReplicaBundles(f.getBundleContext(), tmp.resolve("r" + id))),
                    "bundle");
            String address = cell.addresses().get(id - 1);
            cell.replica(id).setAdminShell(line -> {
                calls.add(address + " " + line.split(" ")[1]);
                return GogoAdminShell.execute(p, line);
            });
        }
    }

    private Path jar(String bsn, String version) throws Exception {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", version);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(buf, m)) {
            JarEntry e = new JarEntry("payload.bin");
            e.setMethod(JarEntry.STORED);
            byte[] payload = new byte[700 * 1024]; // two pieces
            new Random(7).nextBytes(payload);
            e.setSize(payload.length);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(payload);
            e.setCrc(crc.getValue());
            out.putNextEntry(e);
            out.write(payload);
            out.closeEntry();
        }
        Path p = tmp.resolve(bsn + "-" + version + ".jar");
        Files.write(p, buf.toByteArray());
        return p;
    }

    private Bundle find(int replica, String bsn) {
        for (Bundle b : frameworks.get(replica - 1).getBundleContext().getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    @Test
    void installRollsFollowersFirstThenListShowsWhoDiffers() throws Exception {
        start();
        List<String> a = cell.addresses();
        Result install = h.run("bundle", "install", "--all", jar("test.hot", "1.0.0").toString());
        assertEquals(0, install.code(), install.err());
        List<String> lines = install.outLines();
        assertTrue(lines.get(0).startsWith("bundle install "), lines.get(0));
        assertTrue(lines.get(0).endsWith("on 3 replicas, one at a time: " + a.get(0) + ", " + a.get(2) + ", " + a.get(1)),
                lines.get(0));
        assertTrue(lines.get(1).startsWith(a.get(0) + ": installed test.hot 1.0.0 (bundle "), lines.get(1));
        assertTrue(lines.get(2).startsWith(a.get(0) + ": healthy: caught up at index "), lines.get(2));
        assertTrue(lines.get(5).startsWith(a.get(1) + ": installed test.hot 1.0.0"), lines.get(5));
        assertTrue(lines.get(7).startsWith("bundle install: 3 replicas done in "), lines.get(7));
        assertEquals(List.of(a.get(0) + " chunk", a.get(0) + " chunk", a.get(0) + " install"), calls.subList(0, 3));
        for (int id = 1; id <= 3; id++) {
            assertEquals(Bundle.ACTIVE, find(id, "test.hot").getState());
        }

        Result agree = h.run("bundle", "list");
        assertEquals(0, agree.code(), agree.err());
        assertTrue(agree.out().matches("(?s).*\ntest\\.hot +1\\.0\\.0 +ACTIVE +replica +all 3\n.*"), agree.out());
        assertTrue(agree.out().endsWith("; 0 differ between replicas\n"), agree.out());

        Result one = h.run("bundle", "update", "--replica", a.get(2), jar("test.hot", "1.0.1").toString());
        assertEquals(0, one.code(), one.err());
        assertTrue(one.out().contains(a.get(2) + ": updated test.hot 1.0.0 -> 1.0.1 (bundle "), one.out());
        Result differ = h.run("bundle", "list");
        assertTrue(differ.out().matches("(?s).*\ntest\\.hot +1\\.0\\.0 +ACTIVE +replica +" + a.get(0) + "," + a.get(1)
                + "  DIFFERS\ntest\\.hot +1\\.0\\.1 +ACTIVE +replica +" + a.get(2) + "  DIFFERS\n.*"), differ.out());
        assertTrue(differ.out().endsWith("; 1 differs between replicas\n"), differ.out());

        Result gone = h.run("bundle", "uninstall", "--all", "test.hot");
        assertEquals(0, gone.code(), gone.err());
        for (int id = 1; id <= 3; id++) {
            assertNull(find(id, "test.hot"));
        }
    }

    @Test
    void aFailingReplicaStopsTheWalkAndSaysWhatWasDone() throws Exception {
        start();
        List<String> a = cell.addresses();
        // replica 3 (second in the order) has a bundle of that name from its distribution
        Bundle theirs = frameworks.get(2).getBundleContext().installBundle("file:/opt/chubby/bundle/hot.jar",
                Files.newInputStream(jar("test.hot", "0.9.0")));
        Result r = h.run("bundle", "install", "--all", jar("test.hot", "1.0.0").toString());
        assertEquals(1, r.code());
        assertEquals(List.of("chubby: bundle install stopped at replica " + a.get(2) + ", the operation failed: "
                + "test.hot is already installed here: test.hot 0.9.0 (bundle " + theirs.getBundleId() + "): INSTALLED"
                + " from distribution (file:/opt/chubby/bundle/hot.jar); only bundles added with 'chubby bundle' can be"
                + " changed with it; done: [" + a.get(0) + "]; not done: [" + a.get(1) + "]"), r.errLines());
        assertEquals(Bundle.ACTIVE, find(1, "test.hot").getState());
        assertNull(find(2, "test.hot"), "the master was not touched");
        assertEquals(2, h.run("bundle", "install", jar("test.hot", "1.0.0").toString()).code(),
                "--replica or --all is required");
        assertEquals(2, h.run("bundle", "install", "--all", "--replica", a.get(0), "x.jar").code(), "not both");
        assertEquals(2, h.run("bundle", "install", "--all", tmp.resolve("missing.jar").toString()).code());
    }

    @Test
    void aReplicaThatDoesNotCatchUpStopsTheWalk() throws Exception {
        start();
        List<String> a = cell.addresses();
        behind = a.get(0);
        Result r = h.run("bundle", "install", "--all", "--wait", "1", jar("test.hot", "1.0.0").toString());
        assertEquals(1, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.errLines().get(0).startsWith("chubby: bundle install stopped at replica " + a.get(0)
                + ", the health check after it failed: not healthy after 1 s: not caught up (applied 0, the master had"
                + " committed "), r.err());
        assertTrue(r.errLines().get(0).endsWith("; done: none and " + a.get(0) + " (changed, not healthy); not done: ["
                + a.get(2) + ", " + a.get(1) + "]"), r.err());
        assertEquals(Bundle.ACTIVE, find(1, "test.hot").getState());
        assertNull(find(3, "test.hot"));
    }
}
