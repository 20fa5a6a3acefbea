package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.cli.internal.CliContext;
import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.cli.internal.cell.CellLayout;
import io.chubby.cli.internal.cell.DnsConfig;
import io.chubby.sim.cell.InProcessReplicas;
import io.chubby.spi.Member;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Type;

/**
 * DNS in the CLI: {@code cell up} writes the DNS bridge configs (or removes them with
 * {@code --no-dns}) and prints CHUBBY_DNS; {@code --cell dns:...} and CHUBBY_DNS find the replicas
 * (real cells in this JVM) through SRV records of a tiny UDP DNS server run by the test.
 */
class DnsCellTest {

    @TempDir
    Path tmp;

    private final Harness h = new Harness();
    private final List<ProcessHandle> spawned = new ArrayList<>();
    private DatagramSocket dns;
    private Thread dnsThread;
    /** The client ports the DNS server names, replica i at index i - 1. */
    private volatile List<Integer> ports = List.of(7001, 7002, 7003);

    @BeforeEach
    void startDns() throws IOException {
        dns = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        dnsThread = new Thread(this::serve, "fake-dns");
        dnsThread.setDaemon(true);
        dnsThread.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        dns.close();
        dnsThread.join(2000);
        spawned.forEach(ProcessHandle::destroyForcibly);
        h.close();
    }

    @Test
    void layoutOfTheDnsConfigs() {
        DnsConfig d = new DnsConfig(new CellLayout(tmp, 5, 7000, "local"));
        assertEquals(7051, d.port(1));
        assertEquals(7055, d.port(5));
        assertEquals("export CHUBBY_DNS=127.0.0.1:7051", d.exportLine());
        assertEquals(tmp.resolve("replica-3/etc/io.chubby.dns.cfg"), d.configFile(3));
        assertEquals(Map.of("dns.cell", "local", "dns.bind", "127.0.0.1", "dns.port", "7053"), d.keys(3));
    }

    @Test
    void cellUpWithNoDnsWritesNoDnsConfigAndPrintsNoDnsLine() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("bin"));
        Path script = home.resolve("bin").resolve("chubby-server");
        Files.writeString(script, "#!/bin/sh\nexec sleep 60\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        // the DNS bridge is part of this distribution (a new cell gets DNS only when it is)
        Files.createDirectories(home.resolve("bundle"));
        Files.writeString(home.resolve("bundle/chubby-dns-bridge.jar"), "");
        h.env.put("CHUBBY_HOME", home.toString());
        h.workDir = tmp;
        int base = h.use(InProcessReplicas.startOnConsecutivePorts(1, 1, 3)).basePort();
        // a DNS config left by an earlier 'cell up' is removed
        new DnsConfig(new CellLayout(tmp.resolve("c"), 1, base, "local")).apply(true);
        Path cfg = tmp.resolve("c/replica-1/etc/io.chubby.dns.cfg");
        assertTrue(Files.isRegularFile(cfg));

        Result up = h.run("cell", "up", "--replicas", "1", "--dir", "c", "--base-port", "" + base, "--no-dns");
        new io.chubby.cli.internal.cell.PidFile(tmp.resolve("c/replica-1/pid")).alive().ifPresent(spawned::add);
        assertEquals(0, up.code(), up.err());
        assertFalse(Files.exists(cfg));
        assertFalse(up.out().contains("CHUBBY_DNS"), up.out());
        assertEquals("export CHUBBY_CELL=127.0.0.1:" + (base + 1), up.outLines().get(up.outLines().size() - 1));
        assertEquals(0, h.run("cell", "down", "--dir", "c", "--grace", "5").code());
    }

    /** An assembled distribution without feature dns: a new cell gets no DNS, and --dns is refused. */
    @Test
    void aDistributionWithoutTheDnsBridgeStartsCellsWithoutDns() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("bundle"));
        Path script = home.resolve("bin").resolve("chubby-server");
        Files.writeString(script, "#!/bin/sh\nexec sleep 60\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        h.env.put("CHUBBY_HOME", home.toString());
        h.workDir = tmp;
        int base = h.use(InProcessReplicas.startOnConsecutivePorts(1, 1, 3)).basePort();

        Result refused = h.run("cell", "up", "--replicas", "1", "--dir", "c", "--base-port", "" + base, "--dns");
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("--dns: this distribution has no DNS bridge"), refused.err());

        Result up = h.run("cell", "up", "--replicas", "1", "--dir", "c", "--base-port", "" + base);
        new io.chubby.cli.internal.cell.PidFile(tmp.resolve("c/replica-1/pid")).alive().ifPresent(spawned::add);
        assertEquals(0, up.code(), up.err());
        assertFalse(Files.exists(tmp.resolve("c/replica-1/etc/io.chubby.dns.cfg")));
        assertFalse(up.out().contains("CHUBBY_DNS"), up.out());
        assertFalse(up.out().contains("DNS ports"), up.out());
        assertEquals(0, h.run("cell", "down", "--dir", "c", "--grace", "5").code());
    }

    @Test
    void cellOptionAndChubbyDnsFindTheReplicasThroughSrvRecords() {
        InProcessReplicas cell = h.use(InProcessReplicas.start(3, 2, 3));
        ports = cell.members().stream().map(Member::clientPort).toList();
        List<String> a = cell.addresses();
        String server = "127.0.0.1:" + dns.getLocalPort();

        h.env.remove(CliContext.CELL_ENV);
        Result viaOption = h.run("cell", "status", "--cell", "dns:local.chubby@" + server);
        assertEquals(0, viaOption.code(), viaOption.err());
        // master first: the SRV priority order
        assertEquals(List.of(a.get(1), a.get(0), a.get(2)), addresses(viaOption));
        assertTrue(viaOption.outLines().get(0).startsWith("replica=2 address=" + a.get(1) + " pid="), viaOption.out());

        h.env.put("CHUBBY_DNS", server);
        Result viaEnv = h.run("master");
        assertEquals(0, viaEnv.code(), viaEnv.err());
        assertEquals(a.get(1) + " epoch=3 replica=2\n", viaEnv.out());

        // CHUBBY_CELL wins over CHUBBY_DNS
        h.env.put(CliContext.CELL_ENV, a.get(2));
        Result both = h.run("cell", "status");
        assertEquals(List.of(a.get(2)), addresses(both));

        Result unknown = h.run("master", "--cell", "dns:other.chubby@" + server);
        assertEquals(21, unknown.code());
        assertEquals(1, unknown.errLines().size(), unknown.err());
        assertTrue(unknown.err().contains("NXDOMAIN"), unknown.err());
    }

    private static List<String> addresses(Result r) {
        List<String> out = new ArrayList<>();
        for (String line : r.outLines()) {
            for (String tok : line.split(" ")) {
                if (tok.startsWith("address=")) {
                    out.add(tok.substring(8));
                }
            }
        }
        return out;
    }

    /** Answers _chubby._tcp.local.chubby. SRV like the DNS bridge (replica 2 the master); NXDOMAIN else. */
    private void serve() {
        byte[] buf = new byte[4096];
        while (!dns.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                dns.receive(p);
                byte[] in = new byte[p.getLength()];
                System.arraycopy(buf, 0, in, 0, in.length);
                Message q = new Message(in);
                Message a = new Message(q.getHeader().getID());
                a.getHeader().setFlag(Flags.QR);
                a.addRecord(q.getQuestion(), Section.QUESTION);
                Name srv = Name.fromString("_chubby._tcp.local.chubby.");
                if (q.getQuestion().getName().equals(srv) && q.getQuestion().getType() == Type.SRV) {
                    // {id, priority, weight}: the master (2) listed in the middle, found first by priority
                    for (int[] r : new int[][] {{1, 10, 5}, {2, 0, 0}, {3, 10, 1}}) {
                        Name target = Name.fromString("r" + r[0] + ".local.chubby.");
                        a.addRecord(new SRVRecord(srv, DClass.IN, 1, r[1], r[2], ports.get(r[0] - 1), target),
                                Section.ANSWER);
                        a.addRecord(new ARecord(target, DClass.IN, 1, InetAddress.getLoopbackAddress()), Section.ADDITIONAL);
                    }
                } else {
                    a.getHeader().setRcode(Rcode.NXDOMAIN);
                }
                byte[] out = a.toWire();
                dns.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException e) {
                // closed
            }
        }
    }
}
