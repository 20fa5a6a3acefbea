package io.chubby.dns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.FakeNamespace;
import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bridge on real UDP and TCP sockets, queried by a real DNS client: dig (bind9-dnsutils). */
class DnsBridgeDigTest {
    private FakeConsensus consensus;
    private FakeNamespace namespace;
    private DnsBridge bridge;
    private int port;

    @BeforeEach
    void start() throws Exception {
        if (!new File("/usr/bin/dig").canExecute()) {
            fail("dig is missing: install bind9-dnsutils (.ci/run does)");
        }
        // the bridge of replica 2, which knows replica 1 as master at epoch 257
        consensus = new FakeConsensus(FakeConsensus.THREE_REPLICAS, 2, 1, 257);
        namespace = new FakeNamespace("local");
        bridge = new DnsBridge(consensus, namespace, "local", "chubby.", 1, new InetSocketAddress("127.0.0.1", 0));
        port = bridge.address().getPort();
    }

    @AfterEach
    void stop() {
        bridge.close();
    }

    private List<String> dig(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", "" + port, "+time=2", "+tries=1"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isBlank()) {
                lines.add(l.trim());
            }
        }
        return lines;
    }

    @Test
    void everyRecordTypeOverUdpAndTcp() throws Exception {
        for (String transport : new String[] {"+notcp", "+tcp"}) {
            assertEquals(List.of("127.0.0.1"), dig(transport, "+short", "master.local.chubby.", "A"), transport);
            assertEquals(List.of("\"257\""), dig(transport, "+short", "epoch.local.chubby.", "TXT"), transport);
            assertEquals(List.of("0 0 7001 r1.local.chubby."),
                    dig(transport, "+short", "_chubby-master._tcp.local.chubby.", "SRV"), transport);
            List<String> srv = dig(transport, "+short", "_chubby._tcp.local.chubby.", "SRV");
            assertEquals(3, srv.size(), transport + " " + srv);
            assertTrue(srv.contains("0 0 7001 r1.local.chubby."), srv.toString());
            assertTrue(srv.contains("10 0 7002 r2.local.chubby."), srv.toString());
            assertTrue(String.join("\n", dig(transport, "nosuch.local.chubby.", "A")).contains("status: NXDOMAIN"));
            assertTrue(String.join("\n", dig(transport, "www.example.com.", "A")).contains("status: REFUSED"));
        }
    }

    @Test
    void partitionNamesOverUdpAndTcp() throws Exception {
        assertEquals(List.of(), dig("+short", "partitions.local.chubby.", "TXT"), "no partition view bound yet");
        bridge.partitions(PartitionNamesTest.FOUR);
        for (String transport : List.of("+notcp", "+tcp")) {
            assertEquals(List.of("\"n=4\" \"hash=fnv1a64-v1\" \"slots=4096\""),
                    dig(transport, "+short", "partitions.local.chubby.", "TXT"), transport);
            assertEquals(List.of("127.0.0.1"), dig(transport, "+short", "master.p1.local.chubby.", "A"), transport);
            assertEquals(List.of("\"7\""), dig(transport, "+short", "epoch.p1.local.chubby.", "TXT"), transport);
            assertTrue(dig(transport, "+short", "_chubby._tcp.p1.local.chubby.", "SRV")
                    .contains("0 0 7003 r3.local.chubby."), transport);
            assertTrue(String.join("\n", dig(transport, "master.p9.local.chubby.", "A")).contains("status: NXDOMAIN"));
        }
        bridge.partitions(null);
        assertTrue(String.join("\n", dig("partitions.local.chubby.", "TXT")).contains("status: NXDOMAIN"));
    }

    @Test
    void answersFollowAFailoverAtOnce() throws Exception {
        assertEquals(List.of("0 0 7001 r1.local.chubby."),
                dig("+short", "_chubby-master._tcp.local.chubby.", "SRV"));
        consensus.failOver(3, 771);
        assertEquals(List.of("0 0 7003 r3.local.chubby."),
                dig("+short", "_chubby-master._tcp.local.chubby.", "SRV"));
        assertEquals(List.of("\"771\""), dig("+short", "epoch.local.chubby.", "TXT"));
    }

    /** Issue 22: the bridge's series, {@code chubby_dns_queries{type,rcode}}, as dig's answers said. */
    @Test
    void queriesAreCountedByTypeAndAnswerCode() throws Exception {
        dig("+short", "master.local.chubby.", "A");
        dig("+tcp", "+short", "master.local.chubby.", "A");
        dig("+short", "_chubby._tcp.local.chubby.", "SRV");
        dig("nosuch.local.chubby.", "A");
        dig("www.example.com.", "A");
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(1000);
            byte[] junk = "this is not a dns packet at all".getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(junk, junk.length, new InetSocketAddress("127.0.0.1", port)));
            s.receive(new DatagramPacket(new byte[512], 512));
        }
        java.util.Map<String, Double> counted = new java.util.TreeMap<>();
        io.chubby.spi.MetricSource.Metric m = bridge.metrics().get(0);
        assertEquals("chubby_dns_queries", m.name());
        m.samples().forEach(x -> counted.put(x.labels().get("type") + " " + x.labels().get("rcode"), x.value()));
        assertEquals(java.util.Map.of("A NOERROR", 2.0, "SRV NOERROR", 1.0, "A NXDOMAIN", 1.0, "A REFUSED", 1.0,
                "none FORMERR", 1.0), counted);
    }

    @Test
    void malformedPacketsDoNotDisturbTheServer() throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(1000);
            byte[] junk = "this is not a dns packet at all".getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(junk, junk.length, new InetSocketAddress("127.0.0.1", port)));
            byte[] buf = new byte[512];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            s.receive(reply);
            assertEquals(1, buf[3] & 0x0f, "FORMERR");
            s.send(new DatagramPacket(new byte[3], 3, new InetSocketAddress("127.0.0.1", port)));
        }
        try (Socket t = new Socket("127.0.0.1", port)) {
            t.getOutputStream().write(new byte[] {0, 5, 1, 2}); // truncated TCP message, then hang up
        }
        assertEquals(List.of("127.0.0.1"), dig("+short", "master.local.chubby.", "A"));
        assertEquals(List.of("127.0.0.1"), dig("+tcp", "+short", "master.local.chubby.", "A"));
    }

    @Test
    void registeredProxiesOverUdpAndTcpWithGlue() throws Exception {
        assertEquals(List.of(), dig("+short", "_chubby-proxy._tcp.local.chubby.", "SRV"), "none registered yet");
        namespace.mkdir("/proxies");
        namespace.put("/proxies/127.0.0.1_7201", "address=127.0.0.1:7201\npid=1\n");
        namespace.put("/proxies/127.0.0.2_7202", "address=127.0.0.2:7202\npid=2\n");
        for (String transport : new String[] {"+notcp", "+tcp"}) {
            assertEquals(List.of("0 10 7201 proxy-127-0-0-1-7201.local.chubby.",
                    "0 10 7202 proxy-127-0-0-2-7202.local.chubby."),
                    dig(transport, "+short", "_chubby-proxy._tcp.local.chubby.", "SRV").stream().sorted().toList(),
                    transport);
            String full = String.join("\n", dig(transport, "_chubby-proxy._tcp.local.chubby.", "SRV"));
            assertTrue(full.contains("ADDITIONAL: 2") || full.contains("ADDITIONAL: 3"), full); // 3 with an OPT record
            assertTrue(full.matches("(?s).*proxy-127-0-0-2-7202\\.local\\.chubby\\.\\s+1\\s+IN\\s+A\\s+127\\.0\\.0\\.2.*"),
                    full);
            assertEquals(List.of("127.0.0.1"), dig(transport, "+short", "proxy-127-0-0-1-7201.local.chubby.", "A"));
        }
        namespace.delete("/proxies/127.0.0.1_7201");
        assertEquals(List.of("0 10 7202 proxy-127-0-0-2-7202.local.chubby."),
                dig("+short", "_chubby-proxy._tcp.local.chubby.", "SRV"), "answers follow the namespace at once");
    }
}
