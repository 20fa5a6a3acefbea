package io.chubby.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Type;

/**
 * DNS discovery against a tiny DNS server run by the test (dnsjava for the wire format, plain
 * sockets): it publishes a cell the way the DNS bridge does (SRV per replica, master at priority 0,
 * glue A records) and can be told to truncate UDP answers or leave glue out.
 */
class SrvDiscoveryTest {
    private static final String ZONE = "local.chubby.";

    private DatagramSocket udp;
    private ServerSocket tcp;
    private Thread udpThread;
    private Thread tcpThread;
    private volatile boolean truncateUdp;
    private volatile boolean glue = true;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        // UDP and TCP on the same port number, as a DNS server has them
        for (int attempt = 0; ; attempt++) {
            udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                tcp = new ServerSocket(udp.getLocalPort(), 5, InetAddress.getLoopbackAddress());
                break;
            } catch (IOException e) {
                udp.close();
                if (attempt > 20) {
                    throw e;
                }
            }
        }
        udpThread = new Thread(this::serveUdp, "fake-dns-udp");
        tcpThread = new Thread(this::serveTcp, "fake-dns-tcp");
        udpThread.setDaemon(true);
        tcpThread.setDaemon(true);
        udpThread.start();
        tcpThread.start();
    }

    @AfterEach
    void stop() throws Exception {
        udp.close();
        tcp.close();
        udpThread.join(2000);
        tcpThread.join(2000);
    }

    private String server() {
        return "127.0.0.1:" + udp.getLocalPort();
    }

    @Test
    void replicasComeMasterFirstFromGlueRecords() {
        List<String> r = ClientOptions.parseCell("dns:local.chubby@" + server());
        assertEquals(List.of("127.0.0.1:7002", "127.0.0.1:7001", "127.0.0.1:7003"), r);
        assertEquals(List.of("_chubby._tcp.local.chubby./SRV/udp"), seen);
        // the same through the builder and the CHUBBY_DNS shorthand
        assertEquals(r, ClientOptions.forCell(ClientOptions.dnsCellSpec(server())).replicas());
        assertEquals("dns:local.chubby@127.0.0.1:7051", ClientOptions.dnsCellSpec("export CHUBBY_DNS=127.0.0.1:7051"));
    }

    @Test
    void targetsWithoutGlueAreResolvedAtTheSameServer() {
        glue = false;
        assertEquals(List.of("127.0.0.1:7002", "127.0.0.1:7001", "127.0.0.1:7003"),
                SrvDiscovery.resolve("dns:local.chubby.@" + server()));
        assertTrue(seen.contains("r2.local.chubby./A/udp"), seen.toString());
        assertEquals(4, seen.size(), seen.toString());
    }

    @Test
    void aTruncatedUdpAnswerIsRetriedOverTcp() {
        truncateUdp = true;
        assertEquals(List.of("127.0.0.1:7002", "127.0.0.1:7001", "127.0.0.1:7003"),
                ClientOptions.parseCell("dns:local.chubby@" + server()));
        assertEquals(List.of("_chubby._tcp.local.chubby./SRV/udp", "_chubby._tcp.local.chubby./SRV/tcp"), seen);
    }

    @Test
    void unknownCellAndBadSpecsAreTypedErrors() {
        ChubbyException none = assertThrows(ChubbyException.class,
                () -> ClientOptions.parseCell("dns:other.chubby@" + server()));
        assertEquals(ErrorCode.CELL_UNAVAILABLE, none.code());
        assertTrue(none.getMessage().contains("NXDOMAIN"), none.getMessage());
        for (String bad : List.of("dns:local.chubby", "dns:@127.0.0.1:53", "dns:local.chubby@127.0.0.1:x",
                "dns:local.chubby@127.0.0.1:0", "dns:local.chubby@:53")) {
            ChubbyException e = assertThrows(ChubbyException.class, () -> ClientOptions.parseCell(bad), bad);
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), bad);
        }
    }

    @Test
    void dnsProxySpecsNameTheRegisteredProxiesInRandomOrder() {
        java.util.Set<List<String>> orders = new java.util.HashSet<>();
        for (int i = 0; i < 40 && orders.size() < 2; i++) {
            List<String> r = ClientOptions.parseCell("dns-proxy:local.chubby@" + server());
            assertEquals(java.util.Set.of("127.0.0.1:7201", "127.0.0.1:7202"), java.util.Set.copyOf(r));
            assertEquals(2, r.size());
            orders.add(r);
        }
        assertEquals(2, orders.size(), "both orders seen: clients spread over the proxies");
        assertTrue(seen.stream().allMatch(q -> q.equals("_chubby-proxy._tcp.local.chubby./SRV/udp")), seen.toString());
        ChubbyException none = assertThrows(ChubbyException.class,
                () -> ClientOptions.parseCell("dns-proxy:other.chubby@" + server()));
        assertEquals(ErrorCode.CELL_UNAVAILABLE, none.code());
        assertTrue(none.getMessage().contains("lists no proxy under _chubby-proxy._tcp.other.chubby."), none.getMessage());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(ChubbyException.class,
                () -> ClientOptions.parseCell("dns-proxy:local.chubby")).code());
    }

    // ---- the fake server ------------------------------------------------------------------------

    private Message answer(Message q, String transport) throws IOException {
        Record question = q.getQuestion();
        seen.add(question.getName() + "/" + Type.string(question.getType()) + "/" + transport);
        Message m = new Message(q.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.addRecord(question, Section.QUESTION);
        Name srv = Name.fromString("_chubby._tcp." + ZONE);
        if (question.getName().equals(srv) && question.getType() == Type.SRV) {
            // replica 2 is the master: listed last on purpose, found first by priority
            int[][] replicas = {{1, 10, 5}, {3, 10, 1}, {2, 0, 0}};
            for (int[] r : replicas) {
                Name target = Name.fromString("r" + r[0] + "." + ZONE);
                m.addRecord(new SRVRecord(srv, DClass.IN, 1, r[1], r[2], 7000 + r[0], target), Section.ANSWER);
                if (glue) {
                    m.addRecord(new ARecord(target, DClass.IN, 1, InetAddress.getByName("127.0.0.1")), Section.ADDITIONAL);
                }
            }
        } else if (question.getName().equals(Name.fromString("_chubby-proxy._tcp." + ZONE))
                && question.getType() == Type.SRV) {
            // two proxies, as the DNS bridge publishes them: same priority and weight, glue for the targets
            for (int p : new int[] {7201, 7202}) {
                Name target = Name.fromString("proxy-127-0-0-1-" + p + "." + ZONE);
                m.addRecord(new SRVRecord(question.getName(), DClass.IN, 1, 0, 10, p, target), Section.ANSWER);
                m.addRecord(new ARecord(target, DClass.IN, 1, InetAddress.getByName("127.0.0.1")), Section.ADDITIONAL);
            }
        } else if (question.getName().toString().matches("r[123]\\." + ZONE.replace(".", "\\."))
                && question.getType() == Type.A) {
            m.addRecord(new ARecord(question.getName(), DClass.IN, 1, InetAddress.getByName("127.0.0.1")), Section.ANSWER);
        } else {
            m.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        return m;
    }

    private void serveUdp() {
        byte[] buf = new byte[4096];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                byte[] in = new byte[p.getLength()];
                System.arraycopy(buf, 0, in, 0, in.length);
                Message q = new Message(in);
                Message a;
                if (truncateUdp) {
                    seen.add(q.getQuestion().getName() + "/" + Type.string(q.getQuestion().getType()) + "/udp");
                    a = new Message(q.getHeader().getID());
                    a.getHeader().setFlag(Flags.QR);
                    a.getHeader().setFlag(Flags.TC);
                    a.addRecord(q.getQuestion(), Section.QUESTION);
                } else {
                    a = answer(q, "udp");
                }
                byte[] out = a.toWire();
                udp.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException e) {
                // closed, or a bad packet: the test's assertions tell
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket s = tcp.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] q = new byte[in.readUnsignedShort()];
                in.readFully(q);
                byte[] out = answer(new Message(q), "tcp").toWire();
                DataOutputStream o = new DataOutputStream(s.getOutputStream());
                o.writeShort(out.length);
                o.write(out);
                o.flush();
            } catch (IOException e) {
                // closed
            }
        }
    }
}
