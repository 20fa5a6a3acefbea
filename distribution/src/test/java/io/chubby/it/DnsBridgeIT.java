package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The DNS bridge in a real three-replica cell ({@code chubby cell up} turns it on in every
 * replica, on 127.0.0.1:P+50+i), queried by a real DNS client, dig (bind9-dnsutils, installed by
 * .ci/run): every record type over UDP and TCP agrees with {@code cell status}; malformed packets
 * do not disturb the replica; the CLI finds the cell through {@code --cell dns:...}; after kill -9
 * of the master every surviving replica's DNS names the new master and a larger epoch.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DnsBridgeIT {
    private static final long DEADLINE_MS = 30_000;
    private LocalCell cell;

    @BeforeAll
    static void needDig() {
        if (!Files.isExecutable(Path.of("/usr/bin/dig"))) {
            fail("dig is missing: install bind9-dnsutils (.ci/run does)");
        }
    }

    @AfterEach
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stopCell() {
        if (cell == null) {
            return;
        }
        try {
            cell.down();
        } finally {
            cell.destroy();
        }
    }

    private int dnsPort(int id) {
        return cell.basePort() + 50 + id;
    }

    @Test
    void digAgreesWithCellStatusFollowsAFailoverAndTheCliFindsTheCellThroughDns() throws Exception {
        cell = new LocalCell(3);
        LocalCell.Run up = cell.up();
        assertEquals(0, up.exit(), () -> up + cell.logs());
        List<String> lines = up.out().lines().toList();
        assertEquals("export CHUBBY_DNS=127.0.0.1:" + dnsPort(1), lines.get(lines.size() - 2), up::toString);
        assertTrue(lines.get(lines.size() - 1).startsWith("export CHUBBY_CELL="), up::toString);

        Map<String, String> master = await("a master", () -> cell.master().orElse(null));
        String masterPort = master.get("address").substring(master.get("address").lastIndexOf(':') + 1);
        long epoch = Long.parseLong(master.get("epoch"));
        int port = dnsPort(1);

        for (String transport : List.of("+notcp", "+tcp")) {
            // the bridge answers from its replica's view, which learns the master within a lease
            assertEquals(List.of("0 0 " + masterPort + " r" + master.get("replica") + ".local.chubby."),
                    awaitDig(port, transport, "_chubby-master._tcp.local.chubby.", "SRV"), transport);
            assertEquals(List.of("127.0.0.1"), dig(port, transport, "master.local.chubby.", "A"), transport);
            assertEquals(List.of("\"" + epoch + "\""), dig(port, transport, "epoch.local.chubby.", "TXT"), transport);
            List<String> srv = dig(port, transport, "_chubby._tcp.local.chubby.", "SRV");
            assertEquals(3, srv.size(), () -> transport + " " + srv);
            for (int i = 1; i <= 3; i++) {
                String line = (String.valueOf(i).equals(master.get("replica")) ? "0" : "10") + " 0 "
                        + (cell.basePort() + i) + " r" + i + ".local.chubby.";
                assertTrue(srv.contains(line), () -> transport + " " + srv + " lacks " + line);
            }
            // the partition names (docs/PARTITIONING.md section 3) of a cell of one partition
            assertEquals(List.of("\"n=1\" \"hash=fnv1a64-v1\" \"slots=4096\""),
                    dig(port, transport, "partitions.local.chubby.", "TXT"), transport);
            assertEquals(List.of("\"" + epoch + "\""), dig(port, transport, "epoch.p0.local.chubby.", "TXT"), transport);
            String nx = Dig.full(port, transport, "nosuch.local.chubby.", "A");
            assertTrue(nx.contains("status: NXDOMAIN"), () -> transport + " " + nx);
        }

        // garbage over UDP: no answer that breaks anything, the replica and its DNS keep serving
        try (DatagramSocket s = new DatagramSocket()) {
            Random rnd = new Random(9);
            for (int i = 0; i < 200; i++) {
                byte[] junk = new byte[1 + rnd.nextInt(600)];
                rnd.nextBytes(junk);
                s.send(new DatagramPacket(junk, junk.length, InetAddress.getLoopbackAddress(), port));
            }
            byte[] empty = new byte[0];
            s.send(new DatagramPacket(empty, 0, InetAddress.getLoopbackAddress(), port));
        }
        assertEquals(List.of("127.0.0.1"), dig(port, "+notcp", "master.local.chubby.", "A"));
        assertEquals(List.of("\"" + epoch + "\""), dig(port, "+tcp", "epoch.local.chubby.", "TXT"));
        Map<String, String> r1 = cell.statusLines().stream().filter(m -> "1".equals(m.get("replica"))).findFirst()
                .orElseThrow();
        assertTrue(!"down".equals(r1.get("role")), () -> "replica 1 after the garbage: " + r1);

        // the CLI through DNS discovery (--cell wins over the CHUBBY_CELL LocalCell sets)
        String dnsCell = "dns:local.chubby@127.0.0.1:" + port;
        LocalCell.Run m = cell.chubby(null, "--cell", dnsCell, "master");
        assertEquals(0, m.exit(), m::toString);
        assertTrue(m.out().startsWith(master.get("address") + " epoch=" + epoch), m::toString);
        LocalCell.Run put = cell.chubby(null, "--cell", dnsCell, "put", "/ls/local/dns", "found through DNS");
        assertEquals(0, put.exit(), put::toString);
        assertEquals("found through DNS", cell.chubby(null, "--cell", dnsCell, "cat", "/ls/local/dns").out());

        // kill -9 the master: every survivor's DNS names a new master with a larger epoch
        long pid = Long.parseLong(master.get("pid"));
        ProcessHandle victim = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        victim.destroyForcibly();
        victim.onExit().get(10, TimeUnit.SECONDS);
        long killedAt = System.currentTimeMillis();
        List<Integer> survivors = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            if (!String.valueOf(i).equals(master.get("replica"))) {
                survivors.add(i);
            }
        }
        Map<String, String> newMaster = await("a new master above epoch " + epoch, () -> cell.master()
                .filter(x -> Long.parseLong(x.get("epoch")) > epoch).orElse(null));
        String newPort = newMaster.get("address").substring(newMaster.get("address").lastIndexOf(':') + 1);
        long newEpoch = Long.parseLong(newMaster.get("epoch"));
        for (int id : survivors) {
            for (String transport : List.of("+notcp", "+tcp")) {
                assertEquals(List.of("0 0 " + newPort + " r" + newMaster.get("replica") + ".local.chubby."),
                        awaitDig(dnsPort(id), transport, "_chubby-master._tcp.local.chubby.", "SRV"),
                        "replica " + id + " " + transport);
                List<String> e = dig(dnsPort(id), transport, "epoch.local.chubby.", "TXT");
                assertEquals(1, e.size(), e::toString);
                assertTrue(Long.parseLong(e.get(0).replace("\"", "")) >= newEpoch, () -> "replica " + id + " " + e);
                assertEquals(List.of("127.0.0.1"), dig(dnsPort(id), transport, "master.local.chubby.", "A"));
            }
        }
        System.out.println("DnsBridgeIT: every survivor's DNS named the new master "
                + (System.currentTimeMillis() - killedAt) + " ms after the kill");
        // DNS discovery through a survivor reaches the new master
        LocalCell.Run after = cell.chubby(null, "--cell", "dns:local.chubby@127.0.0.1:" + dnsPort(survivors.get(0)),
                "cat", "/ls/local/dns");
        assertEquals("found through DNS", after.out(), after::toString);
    }

    /** dig +short (the shared {@link Dig}); no ";;" line (an error or a warning) is accepted in the answer. */
    private static List<String> dig(int port, String transport, String name, String type) {
        List<String> lines = Dig.ask(port, transport, name, type);
        if (lines.stream().anyMatch(l -> l.startsWith(";;"))) {
            throw new AssertionError("dig -p " + port + " " + transport + " " + name + " " + type + " ->\n" + lines);
        }
        return lines;
    }

    /**
     * dig until the answer is a single line whose SRV target names the replica that {@code cell
     * status} calls master now (the bridge of a follower may learn of a new master a moment later).
     */
    private List<String> awaitDig(int port, String transport, String name, String type) throws InterruptedException {
        long end = System.currentTimeMillis() + DEADLINE_MS;
        List<String> last = List.of();
        do {
            Map<String, String> m = cell.master().orElse(null);
            try {
                last = dig(port, transport, name, type);
            } catch (AssertionError e) {
                last = List.of(e.getMessage());
            }
            if (m != null && last.size() == 1 && last.get(0).endsWith(" r" + m.get("replica") + ".local.chubby.")) {
                return last;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < end);
        return last;
    }

    private <T> T await(String what, Supplier<T> probe) throws InterruptedException {
        return cell.await(what, probe, DEADLINE_MS);
    }
}
