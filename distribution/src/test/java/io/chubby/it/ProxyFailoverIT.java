package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.CreateMode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.api.SessionState;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.client.ReplicaStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Proxies of real processes in front of a five-replica cell (issue 17): the master's KeepAlive work
 * does not grow with the clients behind a proxy (it holds one group KeepAlive per proxy); the cell
 * knows its proxies (registration files under /ls/local/proxies, listed by {@code cell status} with
 * their client counts and by the DNS bridge as {@code _chubby-proxy._tcp} SRV records, which a
 * {@code dns-proxy:} client follows); a kill -9 of one of two proxies loses no session: its clients
 * reach the other one with their sessions, handles, locks and ephemeral files; a killed proxy's
 * registration goes within its lease, a cleanly stopped one's at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ProxyFailoverIT {
    private static final int CLIENTS = 40;
    /** The cell's default lease: what a session must outlive to show it was renewed. */
    private static final long LEASE_MS = 12_000;

    private LocalCell cell;
    private ProxyCell proxies;
    private final List<ChubbyClient> clients = new ArrayList<>();
    private final List<SessionState> states = new CopyOnWriteArrayList<>();

    @BeforeAll
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void start() {
        cell = new LocalCell(5);
        LocalCell.Run up = cell.up();
        assertEquals(0, up.exit(), () -> up + cell.logs());
        proxies = ProxyCell.start(cell, 2);
    }

    @AfterAll
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stop() {
        try {
            for (ChubbyClient c : clients) {
                try {
                    c.close();
                } catch (RuntimeException e) {
                    // best effort at teardown
                }
            }
            if (proxies != null) {
                proxies.destroy();
            }
            if (cell != null) {
                cell.down();
            }
        } finally {
            if (cell != null) {
                cell.destroy();
            }
        }
    }

    private ChubbyClient client(String spec, String name) {
        ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(spec).clientName(name)
                .callTimeout(Duration.ofSeconds(10)).build());
        c.addSessionListener(states::add);
        clients.add(c);
        return c;
    }

    private Map<String, String> master() {
        ReplicaStatus m = CellSuite.poll("a master", () -> {
            for (int i = 1; i <= cell.replicas(); i++) {
                try {
                    ReplicaStatus s = ChubbyClient.status(cell.clientAddress(i), Duration.ofSeconds(2));
                    if (s.isMaster()) {
                        return s;
                    }
                } catch (RuntimeException e) {
                    // down or electing: ask the next
                }
            }
            return null;
        }, 30_000);
        return m.metrics();
    }

    private static int metric(Map<String, String> m, String name) {
        return Integer.parseInt(m.getOrDefault(name, "-1"));
    }

    @Test
    @Order(1)
    void theMastersKeepAliveWorkDoesNotGrowWithTheClientsBehindAProxy() throws Exception {
        int sessionsBefore = metric(master(), "sessions");
        int heldBefore = metric(master(), "held_keepalives");
        String p1 = proxies.address(1) + "," + proxies.address(2);
        String p2 = proxies.address(2) + "," + proxies.address(1);
        for (int i = 0; i < CLIENTS; i++) {
            client(i % 2 == 0 ? p1 : p2, "proxied-" + i);
        }
        CellSuite.poll("the master to count " + CLIENTS + " more sessions, held by one group KeepAlive per proxy",
                () -> {
                    Map<String, String> m = master();
                    return metric(m, "sessions") >= sessionsBefore + CLIENTS
                            && metric(m, "held_keepalives") <= heldBefore + 2 ? m : null;
                }, 30_000);
        long calls1 = Long.parseLong(proxies.metrics(1).get("group_calls"));
        long calls2 = Long.parseLong(proxies.metrics(2).get("group_calls"));
        Thread.sleep(LEASE_MS + 2_000);
        Map<String, String> m = master();
        assertTrue(metric(m, "held_keepalives") <= heldBefore + 2, "at most one held KeepAlive per proxy: " + m);
        long made = Long.parseLong(proxies.metrics(1).get("group_calls")) - calls1
                + Long.parseLong(proxies.metrics(2).get("group_calls")) - calls2;
        // a quiet group is answered every two thirds of a lease: about 2 per proxy in 14 s, not 40
        assertTrue(made <= 8, made + " group calls in " + (LEASE_MS + 2_000) + " ms for " + CLIENTS + " clients");
        assertEquals(CLIENTS / 2, metric(proxies.metrics(1), "client_sessions"), proxies.metrics(1)::toString);
        assertEquals(CLIENTS / 2, metric(proxies.metrics(2), "client_sessions"), proxies.metrics(2)::toString);
        assertFalse(states.contains(SessionState.JEOPARDY), states::toString);
        for (ChubbyClient c : clients) {
            assertEquals(SessionState.SAFE, c.sessionState());
        }

        LocalCell.Run status = cell.chubby(new byte[0], "proxy", "status", "--proxy", proxies.address(1));
        assertEquals(0, status.exit(), status::toString);
        assertTrue(status.out().startsWith("proxy " + proxies.address(1) + " pid="), status::toString);
        assertTrue(status.out().contains(" client_sessions=" + CLIENTS / 2 + " "), status::toString);
        assertTrue(status.out().contains(" upstream_cell=local "), status::toString);
        LocalCell.Run notAProxy = cell.chubby(new byte[0], "proxy", "status", "--proxy", cell.clientAddress(1));
        assertEquals(22, notAProxy.exit(), notAProxy::toString);
        assertTrue(notAProxy.err().contains("is not a proxy"), notAProxy::toString);
    }

    /** The registration file of the proxy at {@code address} (bundles/proxy README, "Registration"). */
    private static String registration(String address) {
        return "/ls/local/proxies/" + address.replace(':', '_');
    }

    /** The SRV line the DNS bridge publishes for the proxy at {@code 127.0.0.1:port}. */
    private static String srv(String address) {
        String port = address.substring(address.lastIndexOf(':') + 1);
        return "0 10 " + port + " proxy-127-0-0-1-" + port + ".local.chubby.";
    }

    private int masterDnsPort() {
        Map<String, String> m = cell.master().orElseThrow(() -> new AssertionError("no master in cell status"));
        return cell.basePort() + 50 + Integer.parseInt(m.get("replica"));
    }

    @Test
    @Order(2)
    void theCellKnowsItsProxiesCellStatusListsThemWithTheirClientsAndDnsPublishesThem() {
        LocalCell.Run ls = cell.chubby(null, "ls", "/ls/local/proxies");
        assertEquals(0, ls.exit(), ls::toString);
        assertEquals(java.util.Set.of(proxies.address(1).replace(':', '_'), proxies.address(2).replace(':', '_')),
                java.util.Set.copyOf(ls.out().lines().toList()), ls::toString);
        LocalCell.Run cat = cell.chubby(null, "cat", registration(proxies.address(1)));
        assertTrue(cat.out().startsWith("address=" + proxies.address(1) + "\npid="), cat::toString);

        LocalCell.Run status = cell.status();
        assertEquals(0, status.exit(), status::toString);
        List<Map<String, String>> listed = LocalCell.parsedLines(status, "proxy");
        assertEquals(2, listed.size(), status::toString);
        for (int i = 1; i <= 2; i++) {
            String address = proxies.address(i);
            Map<String, String> line = listed.stream().filter(m -> address.equals(m.get("address"))).findFirst()
                    .orElseThrow(() -> new AssertionError(address + " not listed:\n" + status));
            assertEquals("proxy", line.get("role"), status::toString);
            assertEquals(String.valueOf(CLIENTS / 2), line.get("client_sessions"), status::toString);
            assertTrue(Integer.parseInt(line.get("clients")) >= CLIENTS / 2, status::toString);
        }
        assertTrue(status.out().lines().toList().get(cell.replicas()).startsWith("proxy "),
                "the proxies come after the replicas:\n" + status);

        int dns = masterDnsPort();
        for (String transport : List.of("+notcp", "+tcp")) {
            List<String> records = CellSuite.poll("both proxies in DNS (" + transport + ")", () -> {
                List<String> r = Dig.ask(dns, transport, "_chubby-proxy._tcp.local.chubby.", "SRV");
                return r.size() == 2 ? r : null;
            }, 10_000);
            assertEquals(java.util.Set.of(srv(proxies.address(1)), srv(proxies.address(2))),
                    java.util.Set.copyOf(records), transport);
            String full = Dig.full(dns, transport, "_chubby-proxy._tcp.local.chubby.", "SRV");
            String target = srv(proxies.address(2)).split(" ")[3];
            assertTrue(full.matches("(?s).*\\Q" + target + "\\E\\s+\\d+\\s+IN\\s+A\\s+127\\.0\\.0\\.1.*"),
                    "glue A record of the target in the additional section:\n" + full);
            assertEquals(List.of("127.0.0.1"), Dig.ask(dns, transport, target, "A"));
        }
        // a client that finds the proxies through DNS and works through one of them
        LocalCell.Run put = cell.chubby(null, "--cell", "dns-proxy:local.chubby@127.0.0.1:" + dns, "put",
                "/ls/local/found-a-proxy", "via dns");
        assertEquals(0, put.exit(), put::toString);
        assertEquals("via dns", cell.chubby(null, "cat", "/ls/local/found-a-proxy").out());
    }

    @Test
    @Order(3)
    void killNineOfOneOfTwoProxiesLosesNoSessionHandleLockOrEphemeralFile() throws Exception {
        ChubbyClient direct = ChubbyClient.connect(ClientOptions.forCell(cell.cellSpec()));
        try {
            direct.ensureDirectory("/ls/local/proxied");
            List<Long> sessions = new ArrayList<>();
            List<Handle> locks = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                ChubbyClient c = clients.get(i);
                sessions.add(c.sessionId());
                Handle h = c.open("/ls/local/proxied/lock-" + i, OpenOptions.write().withCreate(CreateMode.MUST)
                        .withEphemeral(true));
                assertTrue(h.tryAcquire(LockMode.EXCLUSIVE));
                locks.add(h);
            }
            states.clear();
            proxies.kill(1);
            CellSuite.poll("every session at the surviving proxy", () ->
                    metric(proxies.metrics(2), "client_sessions") == CLIENTS ? Boolean.TRUE : null, 30_000);
            Thread.sleep(LEASE_MS + 2_000); // more than a lease: renewed through the survivor alone

            assertFalse(states.contains(SessionState.EXPIRED), states::toString);
            for (int i = 0; i < clients.size(); i++) {
                ChubbyClient c = clients.get(i);
                assertEquals(sessions.get(i), c.sessionId());
                assertEquals(SessionState.SAFE, c.sessionState(), "client " + i);
                assertEquals(sessions.get(i), locks.get(i).lockInfo().holders().get(0).sessionId(), "lock " + i);
                assertTrue(direct.exists("/ls/local/proxied/lock-" + i), "ephemeral file " + i);
                locks.get(i).setContents(("still mine " + i).getBytes());
            }
            try (Handle other = direct.open("/ls/local/proxied/lock-0", OpenOptions.write())) {
                assertFalse(other.tryAcquire(LockMode.EXCLUSIVE), "the lock stayed with its session");
            }
            assertTrue(metric(master(), "sessions") >= CLIENTS + 1);
        } finally {
            direct.close();
        }
    }

    @Test
    @Order(4)
    void aKilledProxysRegistrationGoesWithinItsLeaseAndACleanStopDeletesItAtOnce() throws Exception {
        ChubbyClient direct = ChubbyClient.connect(ClientOptions.forCell(cell.cellSpec()));
        try {
            // the killed proxy 1 (@Order(3)) is no longer listed: its cache session ended, its file with it
            CellSuite.poll("proxy 1's registration reaped", () ->
                    direct.exists(registration(proxies.address(1))) ? null : Boolean.TRUE, 60_000);

            int third = proxies.startAnother();
            String file = registration(proxies.address(third));
            CellSuite.poll("proxy " + third + " registered", () -> direct.exists(file) ? Boolean.TRUE : null, 30_000);
            long leaseMs = Long.parseLong(master().getOrDefault("lease_ms", String.valueOf(LEASE_MS)));
            long killedAt = System.currentTimeMillis();
            proxies.kill(third);
            assertTrue(direct.exists(file), "an ephemeral file outlives its holder's process until its session ends");
            CellSuite.poll("proxy " + third + "'s registration gone with its session", () ->
                    direct.exists(file) ? null : Boolean.TRUE, 2 * leaseMs + 10_000);
            long tookMs = System.currentTimeMillis() - killedAt;
            // The group call the dead proxy left held is still answered at its due time (a third of a
            // lease before the end), and that answer extends the lease once more although its
            // connection is gone (session-mgr: "dropped on reply"): at most 2/3 + 1 lease.
            assertTrue(tookMs <= 2 * leaseMs + 3_000, "reaped " + tookMs + " ms after kill -9; lease " + leaseMs + " ms");
            int dns = masterDnsPort();
            CellSuite.poll("DNS drops the killed proxy", () ->
                    Dig.ask(dns, "+notcp", "_chubby-proxy._tcp.local.chubby.", "SRV").equals(
                            List.of(srv(proxies.address(2)))) ? Boolean.TRUE : null, 10_000);

            // a clean stop of proxy 2: its clients go first (they would have nowhere to go)
            for (ChubbyClient c : clients) {
                c.close();
            }
            clients.clear();
            String file2 = registration(proxies.address(2));
            assertTrue(direct.exists(file2));
            proxies.stop(2);
            assertFalse(direct.exists(file2), "deleted before the proxy exited");
            assertTrue(proxies.log(2).contains("proxy registration " + file2 + " deleted"), () -> proxies.log(2));
            assertEquals(List.of(), cell.proxyLines(), "cell status lists no proxy any more");
        } finally {
            direct.close();
        }
    }
}
