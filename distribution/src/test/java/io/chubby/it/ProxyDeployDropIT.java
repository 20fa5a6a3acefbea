package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.DirEntry;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ReplicaStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Version;

/**
 * Issue 17: "the proxy bundle can also be dropped into deploy/ of a running proxy node", with real
 * processes. A one-replica cell ({@code bin/chubby cell up}) and a proxy node started by
 * {@code bin/chubby-proxy} from a distribution copy whose {@code proxy/} lacks the proxy bundle
 * ({@link BareProxyNode}): the node runs with the proxy's configuration and serves nobody. While a
 * client of the unchanged library waits for the proxy's address and then writes and reads through
 * it:
 * <ol>
 * <li>the proxy jar copied into the node's {@code deploy/}: FileInstall installs and starts it, the
 * configuration bin/chubby-proxy wrote activates it, the port opens, the client connects, writes and
 * reads;</li>
 * <li>a newer build of the jar (same symbolic name, higher Bundle-Version) moved over the same file:
 * FileInstall updates the bundle in place (Status reports the new version, the node's pid is
 * unchanged), the client keeps its session, never expires, and no acknowledged write is lost;</li>
 * <li>the jar deleted: the bundle is uninstalled, the port closes, the proxy's registration under
 * /ls/local/proxies goes, the cell serves direct clients;</li>
 * <li>the jar dropped again: the node serves again.</li>
 * </ol>
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProxyDeployDropIT {
    private static final long WAIT_MS = 30_000;
    private static final String FILE = "/ls/local/proxy-deploy-drop";

    @Test
    void theProxyBundleDroppedIntoDeployServesIsUpdatedInPlaceUninstalledAndServesAgain() throws Exception {
        LocalCell cell = new LocalCell(1);
        BareProxyNode node = null;
        try {
            LocalCell.Run up = cell.up("--no-dns");
            assertEquals(0, up.exit(), () -> up + cell.logs());
            node = BareProxyNode.start(cell);
            BareProxyNode n = node;
            String shipped = bundleVersion(BareProxyNode.shippedProxyJar()).toString();

            assertFalse(Files.exists(n.proxyProfileDir().resolve(BareProxyNode.PROXY_JAR)), "the copy lacks the jar");
            assertTrue(Files.isRegularFile(n.proxyProfileDir().resolve("chubby-transport-mina.jar")),
                    "the rest of the proxy profile is there");
            assertNull(ProxyCell.status(n.address()), "nothing serves before the drop");
            assertTrue(n.isAlive(), () -> "the node runs without the proxy bundle\n" + n.log());

            Path dropped = n.deployDir().resolve(BareProxyNode.PROXY_JAR);
            try (ProxyLoad load = ProxyLoad.start(n.address(), FILE, "ProxyDeployDropIT")) {
                // 1. drop: installed, started, configured by what bin/chubby-proxy wrote; the waiting client connects
                drop(BareProxyNode.shippedProxyJar(), dropped);
                ReplicaStatus first = await("the dropped proxy to serve", n, () -> servingVersion(n, shipped));
                assertEquals(n.pid(), first.pid(), "served by the node's own process");
                load.awaitConnected();
                load.awaitMore(20, "after the first drop");
                long session = load.sessionId();
                assertEquals(1, n.logLines("proxy ready").size(), () -> n.log());

                // 2. a newer build over the same file: updated in place under load, the session survives
                Path newer = cell.dir().resolve("chubby-proxy-newer.jar");
                Version version = withNewerVersion(BareProxyNode.shippedProxyJar(), newer);
                assertTrue(version.compareTo(Version.parseVersion(shipped)) > 0, version + " is newer than " + shipped);
                drop(newer, dropped);
                ReplicaStatus updated = await("the newer proxy to serve", n, () -> servingVersion(n, version.toString()));
                assertEquals(n.pid(), updated.pid(), "updated in the same process");
                assertEquals(2, n.logLines("proxy ready").size(), () -> "one more activation\n" + n.log());
                load.awaitMore(20, "after the update");
                assertEquals(session, load.sessionId(), "the client kept its session through the update");
                assertFalse(load.states().contains("EXPIRED"), () -> "never expired " + load.describe());
                assertNull(load.firstFatal(), () -> "no call failed for good " + load.describe());
                load.close();
                System.out.println("ProxyDeployDropIT: " + shipped + " dropped, then " + version + " over it, session "
                        + session + " kept " + load.describe());
                String held = read(cell.cellSpec(), FILE);
                assertTrue(held.equals(load.lastAcknowledged()) || held.equals(load.lastAttempted()),
                        () -> "the cell holds " + held + ": the last acknowledged write was "
                                + load.lastAcknowledged() + ", the last attempted " + load.lastAttempted());
            }

            // 3. delete: uninstalled, the port closes, the registration goes, the cell serves direct clients
            Files.delete(dropped);
            await("the proxy port to close", n, () -> BareProxyNode.free(n.port()) ? Boolean.TRUE : null);
            assertTrue(n.isAlive(), () -> "the node keeps running without the bundle\n" + n.log());
            await("the proxy's registration to go with its bundle", n,
                    () -> registered(cell.cellSpec(), n.port()) ? null : Boolean.TRUE);
            roundTrip(cell.cellSpec(), "direct-after-delete");

            // 4. drop again: serves again
            drop(BareProxyNode.shippedProxyJar(), dropped);
            await("the proxy dropped again to serve", n, () -> servingVersion(n, shipped));
            roundTrip(n.address(), "through-dropped-again");
            await("the proxy to register with the cell again", n,
                    () -> registered(cell.cellSpec(), n.port()) ? Boolean.TRUE : null);

            node.stop();
        } finally {
            if (node != null) {
                node.destroy();
            }
            try {
                cell.down();
            } finally {
                cell.destroy();
            }
        }
    }

    /** Copies {@code jar} beside deploy/ and moves it in (replacing), so the watcher never sees half a jar. */
    private static void drop(Path jar, Path target) throws IOException {
        Path part = target.getParent().resolveSibling(target.getFileName() + ".part");
        Files.copy(jar, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Version bundleVersion(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            return Version.parseVersion(j.getManifest().getMainAttributes().getValue("Bundle-Version"));
        }
    }

    /**
     * Writes {@code out}: {@code jar} with its Bundle-Version's qualifier extended (the same classes,
     * a higher version: what a newer build of the bundle looks like to the framework); returns it.
     */
    private static Version withNewerVersion(Path jar, Path out) throws IOException {
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest mf = new Manifest(in.getManifest());
            Version v = Version.parseVersion(mf.getMainAttributes().getValue("Bundle-Version"));
            String q = v.getQualifier();
            Version newer = new Version(v.getMajor(), v.getMinor(), v.getMicro(), q.isEmpty() ? "dropped" : q + "-dropped");
            mf.getMainAttributes().putValue("Bundle-Version", newer.toString());
            try (OutputStream os = Files.newOutputStream(out); JarOutputStream jos = new JarOutputStream(os, mf)) {
                for (Enumeration<JarEntry> e = in.entries(); e.hasMoreElements(); ) {
                    JarEntry entry = e.nextElement();
                    if (entry.getName().equals(JarFile.MANIFEST_NAME)) {
                        continue;
                    }
                    jos.putNextEntry(new JarEntry(entry.getName()));
                    try (InputStream data = in.getInputStream(entry)) {
                        data.transferTo(jos);
                    }
                    jos.closeEntry();
                }
            }
            return newer;
        }
    }

    /** The node's Status when it answers as a proxy of bundle version {@code version}, else null. */
    private static ReplicaStatus servingVersion(BareProxyNode node, String version) {
        ReplicaStatus s = ProxyCell.status(node.address());
        return s != null && version.equals(s.metrics().get("bundle_version")) ? s : null;
    }

    /** Whether /ls/local/proxies lists the proxy on {@code port} (asked of the cell directly). */
    private static boolean registered(String cellSpec, int port) {
        try (ChubbyClient c = client(cellSpec)) {
            List<DirEntry> entries = c.exists("/ls/local/proxies") ? c.list("/ls/local/proxies") : List.of();
            return entries.stream().anyMatch(e -> e.name().equals("127.0.0.1_" + port));
        }
    }

    private static String read(String cellSpec, String file) {
        try (ChubbyClient c = client(cellSpec)) {
            return new String(c.read(file), StandardCharsets.UTF_8);
        }
    }

    private static void roundTrip(String address, String tag) {
        try (ChubbyClient c = client(address)) {
            String file = FILE + "-" + tag;
            byte[] value = tag.getBytes(StandardCharsets.UTF_8);
            c.write(file, value);
            assertArrayEquals(value, c.read(file));
            c.delete(file);
        }
    }

    private static ChubbyClient client(String address) {
        return ChubbyClient.connect(ClientOptions.builder().cell(address).clientName("ProxyDeployDropIT")
                .callTimeout(Duration.ofSeconds(20)).build());
    }

    private static <T> T await(String what, BareProxyNode node, Supplier<T> probe) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out after " + WAIT_MS + " ms waiting for " + what + "\n" + node.log());
    }
}
