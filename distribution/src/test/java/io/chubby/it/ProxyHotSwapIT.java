package io.chubby.it;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ReplicaStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The proxy bundle is hot-swappable under load: a Felix framework with the proxy profile's bundles
 * but not the proxy (a proxy node before its bundle arrives) in front of a real one-replica cell
 * (bin/chubby processes). Installing the bundle and configuring PIDs {@code io.chubby.proxy} and
 * {@code io.chubby.transport.client} makes it serve; a client writing and reading through it all
 * along keeps its one session, never expires and loses no write while the bundle is updated in
 * place (the proxy's component and its port go and come back; the master holds the session
 * meanwhile, and the client's library retries through the new instance); uninstalling closes the port and leaves the cell
 * untouched; installing it again serves again.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ProxyHotSwapIT {
    private static final String PROXY_BSN = "io.chubby.proxy";
    private static final String PROXY_JAR = "chubby-proxy.jar";
    private static final long WAIT_MS = 60_000;
    private static final String FILE = "/ls/local/proxy-hotswap";

    @Inject
    private BundleContext context;
    @Inject
    private ConfigurationAdmin configAdmin;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        Path root = ExamOptions.tempDir("proxy-hotswap");
        return options(
                ExamOptions.base(),
                ExamOptions.launcherSystemBundles(),
                proxyProfileWithoutProxy(),
                frameworkProperty("chubby.it.proxy.bundle").value(
                        ExamOptions.dist().resolve("proxy").resolve(PROXY_JAR).toUri().toString()),
                frameworkProperty("felix.fileinstall.dir").value(root.resolve("etc").toString()),
                frameworkProperty("felix.fileinstall.tmpdir").value(root.resolve("fi-tmp").toString()),
                frameworkProperty("felix.fileinstall.enableConfigSave").value("false"));
    }

    private static Option proxyProfileWithoutProxy() {
        try (Stream<Path> s = Files.list(ExamOptions.dist().resolve("proxy"))) {
            List<Option> out = s.filter(p -> p.toString().endsWith(".jar"))
                    .filter(p -> !p.getFileName().toString().equals(PROXY_JAR)).sorted()
                    .map(p -> (Option) bundle(p.toUri().toString())).toList();
            return composite(out.toArray(new Option[0]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test(timeout = 240_000)
    public void installServesUpdateUnderLoadKeepsTheSessionUninstallStops() throws Exception {
        assertNull("the proxy bundle is not there before the test installs it", ExamOptions.find(context, PROXY_BSN));
        LocalCell cell = new LocalCell(1);
        try {
            LocalCell.Run up = cell.up();
            assertEquals(up.toString(), 0, up.exit());
            int port = ExamOptions.freePort();
            String proxy = "127.0.0.1:" + port;
            configure("io.chubby.transport.client", "transport.client.port", Integer.toString(port),
                    "transport.client.host", "127.0.0.1", "handler.target", "(chubby.handler=proxy)");
            configure("io.chubby.proxy", "proxy.cell", cell.cellSpec(), "proxy.advertise", proxy);

            Bundle bundle = context.installBundle(context.getProperty("chubby.it.proxy.bundle"));
            bundle.start();
            await("the proxy to serve", () -> proxyStatus(proxy));

            try (ProxyLoad load = ProxyLoad.start(proxy, FILE, "ProxyHotSwapIT")) {
                load.awaitConnected();
                load.awaitMore(20, "before the update");
                long session = load.sessionId();
                long modified = bundle.getLastModified();

                // update in place under load: the port closes and opens again, the session stays
                try (InputStream in = new URL(context.getProperty("chubby.it.proxy.bundle")).openStream()) {
                    bundle.update(in);
                }
                assertTrue("the bundle was updated", bundle.getLastModified() > modified);
                assertEquals("the updated bundle is active", Bundle.ACTIVE, bundle.getState());
                await("the updated proxy to serve", () -> proxyStatus(proxy));
                load.awaitMore(20, "after the update");
                assertEquals("the client kept its session through the update", session, load.sessionId());
                assertEquals("never expired: " + load.describe(), -1, load.states().indexOf("EXPIRED"));
                assertNull("no write failed for good: " + load.describe(), load.firstFatal());
                load.close();
                String held = read(cell.cellSpec(), FILE);
                assertTrue("the cell holds " + held + ": the last acknowledged write was " + load.lastAcknowledged()
                        + ", the last attempted " + load.lastAttempted(),
                        held.equals(load.lastAcknowledged()) || held.equals(load.lastAttempted()));
            }

            // uninstall: the port closes, the cell is untouched
            bundle.uninstall();
            await("the proxy port to close", () -> proxyStatus(proxy) == null ? Boolean.TRUE : null);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                assertTrue("port " + port + " is free again", s.isBound());
            }
            roundTrip(cell.cellSpec(), "direct-after-uninstall");

            // install again: it serves again with the configuration Config Admin kept
            Bundle again = context.installBundle(context.getProperty("chubby.it.proxy.bundle"));
            again.start();
            await("the reinstalled proxy to serve", () -> proxyStatus(proxy));
            roundTrip(proxy, "through-reinstalled-proxy");
            again.uninstall();
        } finally {
            cell.destroy();
        }
    }

    private void configure(String pid, String... keyValues) throws IOException {
        Configuration c = configAdmin.getConfiguration(pid, "?");
        Hashtable<String, Object> props = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        c.update(props);
    }

    /** The proxy's Status when it answers as a proxy, else null. */
    private static ReplicaStatus proxyStatus(String address) {
        try {
            ReplicaStatus s = ChubbyClient.status(address, Duration.ofSeconds(2));
            return "proxy".equals(s.role()) ? s : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String read(String cell, String file) {
        try (ChubbyClient client = ChubbyClient.connect(ClientOptions.builder().cell(cell).clientName("ProxyHotSwapIT")
                .callTimeout(Duration.ofSeconds(20)).build())) {
            return new String(client.read(file), StandardCharsets.UTF_8);
        }
    }

    private static void roundTrip(String cell, String tag) {
        try (ChubbyClient client = ChubbyClient.connect(ClientOptions.builder().cell(cell).clientName("ProxyHotSwapIT")
                .callTimeout(Duration.ofSeconds(20)).build())) {
            String file = FILE + "-" + tag;
            byte[] value = tag.getBytes(StandardCharsets.UTF_8);
            client.write(file, value);
            assertArrayEquals(value, client.read(file));
            client.delete(file);
        }
    }

    private static <T> T await(String what, Supplier<T> probe) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            Thread.sleep(200);
        }
        fail("timed out after " + WAIT_MS + " ms waiting for " + what);
        return null;
    }
}
