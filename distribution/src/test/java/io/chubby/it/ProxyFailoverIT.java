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
 * does not grow with the clients behind a proxy (it holds one group KeepAlive per proxy), and a
 * kill -9 of one of two proxies loses no session: its clients reach the other one with their
 * sessions, handles, locks and ephemeral files.
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

    @Test
    @Order(2)
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
}
