package io.chubby.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.CreateMode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.api.SessionState;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.client.LockInfo;
import io.chubby.sim.cell.InProcessCell;
import io.chubby.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proxies in front of a real cell server in this JVM (session-mgr's CellServer behind the real
 * client acceptor, {@link InProcessCell}), each proxy behind a real acceptor, clients of the
 * unchanged library: files, the consistent cache and locks through a proxy; the master holding one
 * KeepAlive for all clients of a proxy; a session moving to the other proxy with its handle and lock
 * when its proxy goes away. Leases are short (4 s) so that several pass; times are real.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProxyEndToEndTest {
    private static final long LEASE_MS = 4_000;
    private InProcessCell cell;
    private final List<TestProxy> proxies = new ArrayList<>();
    private final List<ChubbyClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        CellSettings d = CellSettings.defaults("local");
        cell = InProcessCell.builder().settings(new CellSettings("local", d.maxContentBytes(), LEASE_MS, 3 * LEASE_MS,
                400, 20)).start();
    }

    @AfterEach
    void stop() {
        for (ChubbyClient c : clients) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // best effort at teardown
            }
        }
        proxies.forEach(TestProxy::close);
        cell.close();
    }

    private TestProxy proxy() throws Exception {
        return proxy(0);
    }

    /** {@code maxSessions}: proxy.max.sessions (0: from the heap). */
    private TestProxy proxy(long maxSessions) throws Exception {
        TestProxy p = new TestProxy(cell.address(), Duration.ofMillis(3 * LEASE_MS),
                new ProxyServer.Limits(maxSessions, 0));
        proxies.add(p);
        return p;
    }

    private ChubbyClient client(String spec) {
        ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(spec).callTimeout(Duration.ofSeconds(5))
                .clientName("e2e-" + clients.size()).build());
        clients.add(c);
        return c;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private int masterMetric(String name) {
        return Integer.parseInt(cell.status().getMetricsMap().get(name));
    }

    @Test
    void aFullProxySendsNewSessionsToTheCellsMasterAndKeepsServingItsOwn() throws Exception {
        TestProxy full = proxy(1);
        ChubbyClient first = client(full.address);
        first.write("/ls/local/limit", utf8("one"));
        assertEquals(full.address, first.masterInfo().masterAddress());
        // The proxy renews one client session: a second CreateSession is answered NOT_MASTER naming
        // the cell's master, and the unchanged client library creates its session there.
        ChubbyClient second = client(full.address);
        second.write("/ls/local/limit", utf8("two"));
        assertEquals(cell.address(), second.masterInfo().masterAddress(), "the second session is the master's own");
        assertEquals("1", full.metrics().get("client_sessions"));
        assertEquals("1", full.metrics().get("max_sessions"));
        assertEquals("1", full.metrics().get("sessions_refused"), () -> full.metrics().toString());
        assertArrayEquals(utf8("two"), first.read("/ls/local/limit"), "the first client is still served through the proxy");
        assertEquals(full.address, first.masterInfo().masterAddress());
    }

    @Test
    void filesTheConsistentCacheAndLocksWorkThroughTheProxy() throws Exception {
        TestProxy p = proxy();
        ChubbyClient a = client(p.address);
        ChubbyClient b = client(p.address);
        a.mkdir("/ls/local/d");
        a.write("/ls/local/d/f", utf8("v1"));
        assertArrayEquals(utf8("v1"), b.read("/ls/local/d/f"));
        // b caches it: the write completes only once b acknowledged the invalidation through the proxy
        a.write("/ls/local/d/f", utf8("v2"));
        assertArrayEquals(utf8("v2"), b.read("/ls/local/d/f"), "never the stale cached value");
        assertTrue(b.exists("/ls/local/d/f"));
        assertFalse(b.exists("/ls/local/d/none"));
        a.write("/ls/local/d/none", utf8("now"));
        assertTrue(b.exists("/ls/local/d/none"), "cached absence invalidated");

        try (Handle ha = a.open("/ls/local/d/lock", OpenOptions.write().withCreate(CreateMode.MAY));
             Handle hb = b.open("/ls/local/d/lock", OpenOptions.write().withCreate(CreateMode.MAY))) {
            assertTrue(ha.tryAcquire(LockMode.EXCLUSIVE));
            assertFalse(hb.tryAcquire(LockMode.EXCLUSIVE));
            assertTrue(ha.getSequencer().generation() > 0);
            ha.release();
            assertTrue(hb.acquire(LockMode.EXCLUSIVE, Duration.ofSeconds(5)));
        }
        assertEquals("proxy", p.server.status().getRole());
        assertEquals(2, Integer.parseInt(p.metrics().get("client_sessions")));
    }

    @Test
    void readersOfOneFileCostTheMasterOneReadPerInvalidationAndNeverSeeAStaleValue() throws Exception {
        TestProxy p = proxy();
        ChubbyClient writer = client(cell.address());
        writer.mkdir("/ls/local/hot");
        writer.write("/ls/local/hot/f", utf8("v1"));
        List<ChubbyClient> readers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            readers.add(client(p.address));
        }
        Await.until("the proxy's own session", () -> p.server.status().getSessions() >= 11);
        for (ChubbyClient r : readers) {
            assertArrayEquals(utf8("v1"), r.read("/ls/local/hot/f"));
        }
        assertEquals(1, Integer.parseInt(p.metrics().get("cache_misses")), p.metrics()::toString);
        assertEquals(9, Integer.parseInt(p.metrics().get("cache_hits")), p.metrics()::toString);
        // The write returns only once the proxy dropped the entry and acknowledged: no stale read after it.
        writer.write("/ls/local/hot/f", utf8("v2"));
        for (ChubbyClient r : readers) {
            assertArrayEquals(utf8("v2"), r.read("/ls/local/hot/f"));
        }
        assertEquals(2, Integer.parseInt(p.metrics().get("cache_misses")), "one more upstream read: " + p.metrics());
        assertEquals(18, Integer.parseInt(p.metrics().get("cache_hits")), p.metrics()::toString);
    }

    @Test
    void theMasterHoldsOneKeepAliveForAllTheClientsOfAProxyAndNoneGoesIntoJeopardy() throws Exception {
        TestProxy p = proxy();
        List<SessionState> seen = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 20; i++) {
            ChubbyClient c = client(p.address);
            c.addSessionListener(seen::add);
        }
        Await.until("the master holds one KeepAlive (the group) for 20 sessions and the proxy's own", () ->
                masterMetric("sessions") == 21 && masterMetric("held_keepalives") == 1);
        long callsBefore = Long.parseLong(p.metrics().get("group_calls"));
        long t0 = System.currentTimeMillis();
        Thread.sleep(3 * LEASE_MS); // three leases pass with no call but KeepAlives
        long elapsed = System.currentTimeMillis() - t0;
        long calls = Long.parseLong(p.metrics().get("group_calls")) - callsBefore;
        // one group call per two thirds of a lease (the master answers a group a third of a lease before
        // its members' end), whatever the number of clients; 20 direct clients would make 20 per lease
        assertTrue(calls <= elapsed / (2 * LEASE_MS / 3) + 3, calls + " group calls in " + elapsed + " ms");
        assertTrue(calls >= 2, "the group was renewed: " + calls);
        assertEquals(1, masterMetric("held_keepalives"));
        assertEquals(21, masterMetric("sessions"), "no session expired");
        assertEquals(List.of(), seen, "no client saw jeopardy");
        for (ChubbyClient c : clients) {
            assertEquals(SessionState.SAFE, c.sessionState());
        }
    }

    @Test
    void whenItsProxyGoesAwayASessionMovesToTheOtherWithItsHandleAndLock() throws Exception {
        TestProxy p1 = proxy();
        TestProxy p2 = proxy();
        ChubbyClient c = client(p1.address + "," + p2.address);
        ChubbyClient direct = client(cell.address());
        long session = c.sessionId();
        Handle h = c.open("/ls/local/held", OpenOptions.write().withCreate(CreateMode.MAY).withLockDelayMillis(0));
        assertTrue(h.tryAcquire(LockMode.EXCLUSIVE));
        assertEquals(1, Integer.parseInt(p1.metrics().get("client_sessions")));

        p1.close();
        proxies.remove(p1);
        Await.until("the session joined the other proxy",
                () -> Integer.parseInt(p2.metrics().get("client_sessions")) == 1);
        Thread.sleep(2 * LEASE_MS); // two leases: renewed through p2 alone
        assertEquals(session, c.sessionId());
        assertEquals(SessionState.SAFE, c.sessionState());
        LockInfo info = h.lockInfo();
        assertEquals(session, info.holders().get(0).sessionId(), "still holds its lock");
        h.setContents(utf8("written through p2"));
        assertArrayEquals(utf8("written through p2"), direct.read("/ls/local/held"));
        try (Handle other = direct.open("/ls/local/held", OpenOptions.write())) {
            assertFalse(other.tryAcquire(LockMode.EXCLUSIVE), "nobody else got the lock");
        }
    }
    @Test
    void aProxyThatStopsSendsItsClientsOnWithoutCuttingAWriteOff() throws Exception {
        TestProxy p1 = proxy();
        TestProxy p2 = proxy();
        ChubbyClient c = client(p1.address + "," + p2.address);
        ChubbyClient direct = client(cell.address());
        long session = c.sessionId();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong acked = new java.util.concurrent.atomic.AtomicLong();
        List<String> failures = new CopyOnWriteArrayList<>();
        Thread writer = new Thread(() -> {
            for (long k = 1; !stop.get(); k++) {
                try {
                    c.write("/ls/local/moving", utf8(Long.toString(k)));
                    acked.set(k);
                } catch (RuntimeException e) {
                    failures.add(e.toString());
                }
            }
        }, "e2e-writer");
        writer.start();
        try {
            Await.until("20 writes through p1", () -> acked.get() >= 20);
            assertEquals(1, Integer.parseInt(p1.metrics().get("client_sessions")));
            p1.close(); // its acceptor tells the client to move on, and waits for it to leave
            proxies.remove(p1);
            long before = acked.get();
            Await.until("20 more writes through p2", () -> acked.get() >= before + 20);
        } finally {
            stop.set(true);
            writer.join(10_000);
        }
        assertEquals(List.of(), failures, "a write failed while its proxy stopped");
        assertEquals(session, c.sessionId());
        assertEquals(SessionState.SAFE, c.sessionState());
        assertArrayEquals(utf8(Long.toString(acked.get())), direct.read("/ls/local/moving"));
    }
}
