package io.chubby.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.Event;
import io.chubby.api.EventType;
import io.chubby.api.PartitionHash;
import io.chubby.api.SessionState;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.client.CacheMode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.protocol.Request;
import io.chubby.sim.cell.PartitionedCell;
import io.chubby.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A proxy in front of a cell of three replicas hosting four partitions ({@link PartitionedCell}:
 * session-mgr's CellHost per replica, behind real acceptors; group g mastered by replica
 * {@code MASTERS[g]}). The proxy answers its clients the cell's map with itself as every
 * partition's master, passes each call on to its partition's master, and renews its clients'
 * partition sessions of each partition with one group KeepAlive there (README "Partitioned
 * cells"); a failover of one group is followed for that partition only. In front of a cell of one
 * partition it serves as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyPartitionedCellTest {
    /** 3 s leases, the timer every 50 ms. */
    private static final CellSettings SETTINGS = new CellSettings("local", 262_144, 3_000, 60_000, 1_000, 50);
    private static final Duration MAX_LEASE = Duration.ofSeconds(60);
    private static final byte[] V = "v".getBytes(StandardCharsets.UTF_8);
    private static final byte[] W = "w".getBytes(StandardCharsets.UTF_8);

    private static ClientOptions through(TestProxy proxy) {
        return ClientOptions.builder().cell(proxy.address).clientName("behind proxy")
                .callTimeout(Duration.ofSeconds(5)).retryBackoff(Duration.ofMillis(20)).build();
    }

    /** A directory (child of the root) whose children live on {@code partition}: found by trying names. */
    private static String directoryOn(int partition) {
        for (int i = 0; ; i++) {
            String d = "/d" + i;
            if (PartitionHash.slotOf(d) % PartitionedCell.N == partition) {
                return d;
            }
        }
    }

    /** A file on each partition, written {@link #V} through {@code c}. */
    private static String[] filesOnEachPartition(ChubbyClient c) {
        String[] file = new String[PartitionedCell.N];
        for (int p = 0; p < PartitionedCell.N; p++) {
            String dir = "/ls/local" + directoryOn(p);
            c.ensureDirectory(dir);
            file[p] = dir + "/f";
            c.write(file[p], V);
        }
        return file;
    }

    /** The replicas that received a call naming partition {@code p} (other than MasterLocation and Status). */
    private static List<Integer> replicasServing(PartitionedCell cell, int from, int p) {
        List<PartitionedCell.Received> all = List.copyOf(cell.received);
        return all.subList(from, all.size()).stream().filter(x -> x.request().getPartition() == p)
                .filter(x -> !x.request().hasMasterLocation() && !x.request().hasStatus())
                .map(PartitionedCell.Received::replica).distinct().sorted().toList();
    }

    @Test
    void eachPartitionsCallsGoToItsOwnMasterThroughTheProxy() throws Exception {
        try (PartitionedCell cell = new PartitionedCell(SETTINGS, PartitionedCell.N);
             TestProxy proxy = new TestProxy(cell.cellSpec(), MAX_LEASE, ProxyServer.Limits.FROM_HEAP);
             ChubbyClient c = ChubbyClient.connect(through(proxy))) {
            assertEquals(PartitionedCell.N, c.partitions(), "the proxy answers the cell's map");
            String[] file = filesOnEachPartition(c);
            for (int p = 0; p < PartitionedCell.N; p++) {
                assertArrayEquals(V, c.read(file[p], CacheMode.UNCACHED));
                assertEquals(p, c.stat(file[p]).partition());
                assertEquals(1, cell.count(0, p, Request.BodyCase.CREATE_SESSION), "one partition session in " + p);
                assertEquals(1, cell.sessions(p), "group " + p + " holds the client's partition session, no other");
                assertEquals(List.of(PartitionedCell.MASTERS[p]), replicasServing(cell, 0, p),
                        "partition " + p + "'s calls reached its master only");
                int q = p;
                Await.until("partition " + q + "'s group KeepAlive",
                        () -> cell.count(0, q, Request.BodyCase.GROUP_KEEP_ALIVE) >= 1);
                assertEquals(0, cell.count(0, p, Request.BodyCase.KEEP_ALIVE), "the client's KeepAlives absorbed");
            }
            assertEquals(List.of(PartitionedCell.MASTERS[2]), replicasServing(cell, 0, 2), "group KeepAlives too");
            assertEquals("4", proxy.metrics().get("upstream_partitions"));
            String perPartition = proxy.metrics().get("partition_calls");
            assertTrue(perPartition.matches("p0=\\d+,p1=\\d+,p2=\\d+,p3=\\d+"), perPartition);
            assertEquals(PartitionedCell.N, proxy.metric("client_sessions"), "a partition session per partition");
            assertEquals(PartitionedCell.N, proxy.metric("partition_keepalives"), "a group KeepAlive per partition");
            assertEquals(0, proxy.metric("cache_entries"), "the cache serves a cell of one partition only");
        }
    }

    @Test
    void aFailoverOfOneGroupIsFollowedForItsPartitionOnly() throws Exception {
        try (PartitionedCell cell = new PartitionedCell(SETTINGS, PartitionedCell.N);
             TestProxy proxy = new TestProxy(cell.cellSpec(), MAX_LEASE, ProxyServer.Limits.FROM_HEAP);
             ChubbyClient c = ChubbyClient.connect(through(proxy))) {
            List<SessionState> states = new CopyOnWriteArrayList<>();
            List<Event> events = new CopyOnWriteArrayList<>();
            c.addSessionListener(states::add);
            c.addEventListener(events::add);
            String[] file = filesOnEachPartition(c);

            cell.crash(3); // group 2's master, alone there: partition 2's KeepAlive goes unanswered
            Await.until("partition 2's session in jeopardy", () -> c.sessionState() == SessionState.JEOPARDY);
            int mark = cell.received.size();
            for (int p : new int[] {0, 1, 3}) {
                c.write(file[p], W);
                assertArrayEquals(W, c.read(file[p], CacheMode.UNCACHED), "partition " + p + " goes on");
            }
            CompletableFuture<?> held = c.writeAsync(file[2], W);
            cell.elect(2, 1); // group 2 fails over to replica 1
            held.get(30, TimeUnit.SECONDS);
            Await.until("safe again", () -> c.sessionState() == SessionState.SAFE);
            assertArrayEquals(W, c.read(file[2], CacheMode.UNCACHED));

            assertEquals(List.of(1), replicasServing(cell, mark, 2), "partition 2's calls follow its new master");
            for (int p : new int[] {0, 1, 3}) {
                assertEquals(List.of(PartitionedCell.MASTERS[p]), replicasServing(cell, mark, p),
                        "partition " + p + "'s calls and group KeepAlive stayed at its master");
            }
            assertEquals(1, cell.sessions(2), "the same partition session at group 2's new master");
            assertEquals(List.of(SessionState.JEOPARDY, SessionState.SAFE), states, "no expiry");
            Await.until("the failover event", () -> events.stream().anyMatch(e -> e.type() == EventType.MASTER_FAILED_OVER));
            assertEquals(List.of(2), events.stream().filter(e -> e.type() == EventType.MASTER_FAILED_OVER)
                    .map(Event::partition).toList(), "one failover, partition 2's");
        }
    }

    @Test
    void aProxyInFrontOfACellOfOnePartitionServesAsBefore() throws Exception {
        try (PartitionedCell cell = new PartitionedCell(SETTINGS, 1);
             TestProxy proxy = new TestProxy(cell.cellSpec(), MAX_LEASE, ProxyServer.Limits.FROM_HEAP);
             ChubbyClient c = ChubbyClient.connect(through(proxy))) {
            c.write("/ls/local/f", V);
            assertArrayEquals(V, c.read("/ls/local/f"));
            assertEquals(1, c.partitions());
            assertEquals("1", proxy.metrics().get("upstream_partitions"));
            assertEquals("", proxy.metrics().get("partition_calls"), "nothing passed on by partition");
            assertEquals(1, proxy.metric("client_sessions"), "absorbed as before");
            assertEquals(0, proxy.metric("partition_keepalives"));
        }
    }
}
