package io.chubby.it;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;
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
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The DNS bridge is hot-swappable: a one-replica cell runs on the distribution's bundle set
 * without the dns-bridge bundle; installing that bundle at runtime and configuring PID
 * {@code io.chubby.dns} makes the replica answer DNS (master A over UDP); uninstalling it closes
 * the port (nothing answers, the port can be bound again) while every other component stays
 * active and a client round trip still works.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DnsHotSwapIT {
    private static final String REPLICA_PID = "io.chubby.replica";
    private static final String DNS_PID = "io.chubby.dns";
    private static final String DNS_BSN = "io.chubby.dns";
    private static final String DNS_JAR = "chubby-dns-bridge.jar";
    private static final long WAIT_MS = 30_000;

    @Inject
    private BundleContext context;
    @Inject
    private ConfigurationAdmin configAdmin;
    @Inject
    private ServiceComponentRuntime scr;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        Path root = ExamOptions.tempDir("dns-hotswap");
        return options(
                ExamOptions.base(),
                ExamOptions.launcherSystemBundles(),
                ExamOptions.bundlesOf("bundle", DNS_JAR),
                frameworkProperty("chubby.it.dns.bundle").value(
                        ExamOptions.dist().resolve("bundle").resolve(DNS_JAR).toUri().toString()),
                ExamOptions.fileInstall(root));
    }

    @Test(timeout = 150_000)
    public void installServesUninstallStopsReplicaUnaffected() throws Exception {
        assertNull("the dns-bridge bundle is not there before the test installs it",
                ExamOptions.find(context, DNS_BSN));
        int clientPort = ExamOptions.freePort();
        int peerPort = ExamOptions.freePort();
        Configuration replica = configAdmin.getConfiguration(REPLICA_PID, "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("cell.name", "local");
        props.put("replica.id", "1");
        props.put("members", "1@127.0.0.1:" + clientPort + ":" + peerPort);
        props.put("data.dir", ExamOptions.tempDir("dns-hotswap-data").toString());
        replica.update(props);
        String address = "127.0.0.1:" + clientPort;
        List<String> before = await("every io.chubby component active or satisfied", this::healthyComponents);
        roundTrip(address, "before");

        // hot install + configure: it serves
        int dnsPort = ExamOptions.freePort();
        Bundle dns = context.installBundle(context.getProperty("chubby.it.dns.bundle"));
        dns.start();
        Configuration dnsConfig = configAdmin.getConfiguration(DNS_PID, "?");
        Hashtable<String, Object> d = new Hashtable<>();
        d.put("dns.cell", "local");
        d.put("dns.bind", "127.0.0.1");
        d.put("dns.port", Integer.toString(dnsPort));
        dnsConfig.update(d);
        Message answer = await("master.local.chubby. A over UDP", () -> query(dnsPort, "master.local.chubby."));
        assertEquals(Rcode.NOERROR, answer.getRcode());
        List<Record> a = answer.getSection(Section.ANSWER);
        assertEquals(a.toString(), 1, a.size());
        assertEquals("127.0.0.1", ((ARecord) a.get(0)).getAddress().getHostAddress());
        Message nx = query(dnsPort, "nosuch.local.chubby.");
        assertNotNull("an answer for an unknown name", nx);
        assertEquals(Rcode.NXDOMAIN, nx.getRcode());
        roundTrip(address, "with-dns");

        // uninstall: the port stops answering and is free again; nothing else changed
        dns.uninstall();
        await("the DNS port to stop answering", () -> query(dnsPort, "master.local.chubby.") == null ? Boolean.TRUE : null);
        try (DatagramSocket u = new DatagramSocket(new InetSocketAddress("127.0.0.1", dnsPort));
             ServerSocket t = new ServerSocket(dnsPort, 1, InetAddress.getByName("127.0.0.1"))) {
            assertTrue("UDP and TCP port " + dnsPort + " are free again", u.isBound() && t.isBound());
        }
        List<String> after = await("every io.chubby component active or satisfied", this::healthyComponents);
        assertEquals("the replica's components are unaffected", before, after);
        roundTrip(address, "after");
        dnsConfig.delete();
    }

    /** One A query over UDP; null when nothing answers within 500 ms. */
    private static Message query(int port, String name) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(500);
            s.connect(new InetSocketAddress("127.0.0.1", port));
            byte[] q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)).toWire();
            s.send(new DatagramPacket(q, q.length));
            byte[] buf = new byte[1500];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            byte[] got = new byte[p.getLength()];
            System.arraycopy(buf, 0, got, 0, got.length);
            return new Message(got);
        } catch (SocketTimeoutException | PortUnreachableException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The io.chubby components (other than the DNS bridge) as "name=STATE", sorted; null while
     * some configured one is neither ACTIVE nor SATISFIED.
     */
    private List<String> healthyComponents() {
        TreeSet<String> out = new TreeSet<>();
        for (ComponentDescriptionDTO desc : scr.getComponentDescriptionDTOs()) {
            if (!desc.bundle.symbolicName.startsWith("io.chubby.") || desc.bundle.symbolicName.equals(DNS_BSN)) {
                continue;
            }
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(desc)) {
                if (c.state != ComponentConfigurationDTO.ACTIVE && c.state != ComponentConfigurationDTO.SATISFIED) {
                    return null;
                }
                // the id changes if a component is deactivated and activated again
                out.add(desc.bundle.symbolicName + "/" + desc.name + " id=" + c.id);
            }
        }
        return out.stream().anyMatch(n -> n.startsWith("io.chubby.paxos/")) ? new ArrayList<>(out) : null;
    }

    private static void roundTrip(String address, String tag) {
        ClientOptions opts = ClientOptions.builder().cell(address).clientName("DnsHotSwapIT")
                .callTimeout(Duration.ofSeconds(20)).build();
        try (ChubbyClient client = ChubbyClient.connect(opts)) {
            String file = "/ls/local/dns-hotswap-" + tag;
            byte[] value = tag.getBytes(StandardCharsets.UTF_8);
            client.write(file, value);
            assertArrayEquals(value, client.read(file));
            client.delete(file);
        }
    }

    private <T> T await(String what, Supplier<T> probe) throws InterruptedException {
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
