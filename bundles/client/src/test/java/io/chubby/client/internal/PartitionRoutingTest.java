package io.chubby.client.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.PartitionHash;
import io.chubby.api.Event;
import io.chubby.api.EventType;
import io.chubby.api.SessionState;
import io.chubby.client.ChubbyClient;
import io.chubby.protocol.Error;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.GetContentsReply;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.PartitionMaster;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's routing by partition (docs/PARTITIONING.md section 3) against two scripted
 * replicas: A masters partitions 0 and 2, B masters 1 and 3 of a four-way cell. Calls go to their
 * partition's master over one connection per replica, each partition with its own session;
 * WRONG_PARTITION is routed again; expiry of one partition session ends the others; jeopardy of
 * one partition holds only its calls; a cell of one partition sees today's requests.
 */
class PartitionRoutingTest {
    private static final byte[] V = "v".getBytes(StandardCharsets.UTF_8);
    private FakeReplica a;
    private FakeReplica b;

    @AfterEach
    void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    /** A file whose directory's children are on {@code partition} of {@code n} (found by trying names). */
    private static String fileOn(int partition, int n) {
        for (int i = 0; ; i++) {
            String d = "/d" + i;
            if (PartitionHash.slotOf(d) % n == partition) {
                return "/ls/local" + d + "/f";
            }
        }
    }

    /** The map of {@code n} partitions, partition p mastered by A when p is even, else by B; the top fields name {@code p}'s. */
    private MasterLocation map(int n, int p) {
        MasterLocation.Builder m = MasterLocation.newBuilder().setCell("test").setPartitions(n)
                .setPartitionHash(PartitionHash.NAME).setPartition(p).addReplicas(a.address()).addReplicas(b.address());
        for (int q = 0; q < n; q++) {
            FakeReplica master = q % 2 == 0 ? a : b;
            m.addPartitionMasters(PartitionMaster.newBuilder().setPartition(q).setMasterId(master.id)
                    .setMasterAddress(master.address()).setEpoch(1));
        }
        FakeReplica top = p % 2 == 0 ? a : b;
        return m.setMasterId(top.id).setMasterAddress(top.address()).setEpoch(1).build();
    }

    private void partitioned(int n) throws Exception {
        a = new FakeReplica(1);
        b = new FakeReplica(2);
        for (FakeReplica r : List.of(a, b)) {
            r.on(Request.BodyCase.MASTER_LOCATION, x -> x.reply(Response.newBuilder().setMasterLocation(map(n, 0))));
        }
    }

    private static List<Request> of(FakeReplica r, Request.BodyCase kind) {
        return r.received.stream().filter(q -> q.getBodyCase() == kind).toList();
    }

    @Test
    void aCellOfOnePartitionSeesTodaysRequests() throws Exception {
        a = new FakeReplica(1);
        try (ChubbyClient c = FakeReplica.connect(a)) {
            c.write("/ls/local/f", V);
            assertArrayEquals(V, c.read("/ls/local/f", io.chubby.client.CacheMode.UNCACHED));
        }
        assertEquals(1, a.count(Request.BodyCase.MASTER_LOCATION), "one discovery");
        assertEquals(1, a.count(Request.BodyCase.CREATE_SESSION), "one session");
        assertFalse(of(a, Request.BodyCase.CREATE_SESSION).get(0).getCreateSession().getPartitionAware());
        for (Request r : a.received) {
            // proto3: a zero is not on the wire, so these are the bytes of a client before partitions
            assertEquals(0, r.getPartition(), r.getBodyCase() + " names no partition");
        }
        assertEquals(1, a.sockets.size(), "one connection");
    }

    /**
     * A client its application closed keeps the state its session had, SAFE, in a cell of one
     * partition and in a partitioned one (a single session's state always did: AclHotSwapIT and
     * MirrorHotSwapIT check every load session SAFE after closing their clients).
     */
    @Test
    void aClosedClientKeepsTheStateItsSessionHad() throws Exception {
        try (FakeReplica single = new FakeReplica(1)) {
            ChubbyClient one = FakeReplica.connect(single);
            one.write("/ls/local/f", V);
            one.close();
            assertEquals(SessionState.SAFE, one.sessionState(), "one partition");
        }

        partitioned(4);
        ChubbyClient four = FakeReplica.connect(a, b);
        four.write(fileOn(1, 4), V);
        four.write(fileOn(2, 4), V);
        four.close();
        assertEquals(SessionState.SAFE, four.sessionState(), "four partitions, three sessions");
        ChubbyException closed = assertThrows(ChubbyException.class, () -> four.write(fileOn(1, 4), V));
        assertEquals(ErrorCode.SESSION_EXPIRED, closed.code(), "a closed client's calls fail as before");
    }

    @Test
    void callsGoToTheirPartitionsMasterEachPartitionWithItsOwnSession() throws Exception {
        partitioned(4);
        String on1 = fileOn(1, 4);
        String on2 = fileOn(2, 4);
        String on3 = fileOn(3, 4);
        try (ChubbyClient c = FakeReplica.connect(a, b)) {
            c.write(on1, V);
            c.write(on3, V);
            c.write(on2, V);
            assertArrayEquals(V, c.read(on3, io.chubby.client.CacheMode.UNCACHED));
        }
        assertEquals(List.of(0, 2), of(a, Request.BodyCase.CREATE_SESSION).stream().map(Request::getPartition)
                .toList(), "A: the session of partition 0 at connect, of 2 at its first call");
        assertEquals(List.of(1, 3), of(b, Request.BodyCase.CREATE_SESSION).stream().map(Request::getPartition)
                .toList());
        for (FakeReplica r : List.of(a, b)) {
            assertTrue(of(r, Request.BodyCase.CREATE_SESSION).stream().allMatch(q -> q.getCreateSession()
                    .getPartitionAware()), "a routing client says so");
        }
        assertEquals(List.of(on1, on3, on3), of(b, Request.BodyCase.OPEN).stream().map(q -> q.getOpen().getPath())
                .toList());
        assertEquals(List.of(1, 3, 3), of(b, Request.BodyCase.OPEN).stream().map(Request::getPartition).toList());
        assertEquals(List.of(on2), of(a, Request.BodyCase.OPEN).stream().map(q -> q.getOpen().getPath()).toList());
        assertEquals(List.of(2), of(a, Request.BodyCase.OPEN).stream().map(Request::getPartition).toList());
        assertEquals(1, b.sockets.size(), "partitions 1 and 3 share B's connection");
        assertEquals(2, of(b, Request.BodyCase.CLOSE_SESSION).size(), "close ends every partition session");
    }

    @Test
    void eagerPartitionSessionsAreAllCreatedAtConnect() throws Exception {
        partitioned(4);
        String on3 = fileOn(3, 4);
        try (ChubbyClient c = ChubbyClient.connect(FakeReplica.options(a, b).toBuilder().eagerPartitionSessions(true)
                .build())) {
            // partitions 1..3 are created together once partition 0's exists: in any order
            assertEquals(List.of(0, 2), of(a, Request.BodyCase.CREATE_SESSION).stream().map(Request::getPartition)
                    .sorted().toList(), "A: partitions 0 and 2 before any call");
            assertEquals(List.of(1, 3), of(b, Request.BodyCase.CREATE_SESSION).stream().map(Request::getPartition)
                    .sorted().toList(), "B: partitions 1 and 3 before any call");
            c.write(on3, V);
            assertEquals(2, b.count(Request.BodyCase.CREATE_SESSION), "the first call to 3 creates no session");
        }
        assertEquals(2, of(b, Request.BodyCase.CLOSE_SESSION).size(), "close ends every partition session");
    }

    @Test
    void wrongPartitionIsRoutedAgainByTheMapItCarries() throws Exception {
        partitioned(2); // the replicas say 2 partitions; the node's group knows better (4)
        String file = fileOn(2, 4); // partition 0 of 2, partition 2 of 4: both mastered by A
        a.on(Request.BodyCase.OPEN, x -> {
            int p = x.request.getPartition();
            if (p != 2) {
                x.reply(Response.newBuilder().setError(Error.newBuilder().setCode(ErrorCode.WRONG_PARTITION.wire())
                        .setMessage(file + " is held by partition 2, not " + p)).setMaster(map(4, 2)));
            } else {
                a.standard(x);
            }
        });
        try (ChubbyClient c = FakeReplica.connect(a, b)) {
            c.write(file, V);
        }
        assertEquals(List.of(0, 2), of(a, Request.BodyCase.OPEN).stream().map(Request::getPartition).toList(),
                "refused on the stale map's partition, then sent to the node's");
        assertEquals(List.of(0, 2), of(a, Request.BodyCase.CREATE_SESSION).stream().map(Request::getPartition)
                .toList());
        assertArrayEquals(V, a.files.get(file));
    }

    @Test
    void aClientConnectingDuringAnElectionLearnsThatTheCellIsPartitionedAndSaysSoAgain() throws Exception {
        partitioned(4);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        for (FakeReplica r : List.of(a, b)) {
            r.on(Request.BodyCase.MASTER_LOCATION, x -> x.reply(Response.newBuilder().setMasterLocation(
                    asked.getAndIncrement() < 2 ? MasterLocation.newBuilder().setCell("test").build() : map(4, 0))));
        }
        a.on(Request.BodyCase.CREATE_SESSION, x -> {
            if (x.request.getCreateSession().getPartitionAware()) {
                a.standard(x);
            } else {
                x.fail(ErrorCode.INVALID_ARGUMENT, "this cell is partitioned 4 ways; use a client that routes by "
                        + "partition (protocol 1.6.0, Java client 1.7.0)");
            }
        });
        try (ChubbyClient c = FakeReplica.connect(a, b)) {
            c.write(fileOn(2, 4), V);
        }
        assertEquals(List.of(false, true), of(a, Request.BodyCase.CREATE_SESSION).stream()
                .map(q -> q.getCreateSession().getPartitionAware()).toList().subList(0, 2),
                "built before any master was known, then again once the map said four partitions");
    }

    @Test
    void expiryOfOnePartitionSessionExpiresTheSessionAndEndsTheOthers() throws Exception {
        partitioned(4);
        try (ChubbyClient c = FakeReplica.connect(a, b)) {
            c.write(fileOn(1, 4), V);
            c.write(fileOn(3, 4), V);
            b.on(Request.BodyCase.KEEP_ALIVE, x -> {
                if (x.request.getPartition() == 3) {
                    x.fail(ErrorCode.SESSION_EXPIRED, "session 7 expired");
                } else {
                    b.standard(x);
                }
            });
            Await.until("the session expired", () -> c.sessionState() == SessionState.EXPIRED);
            Await.until("the other partition sessions closed", () -> a.count(Request.BodyCase.CLOSE_SESSION) == 1
                    && of(b, Request.BodyCase.CLOSE_SESSION).stream().anyMatch(q -> q.getPartition() == 1));
            ChubbyException e = assertThrows(ChubbyException.class, () -> c.write(fileOn(1, 4), V));
            assertEquals(ErrorCode.SESSION_EXPIRED, e.code());
        }
        assertTrue(of(b, Request.BodyCase.CLOSE_SESSION).stream().noneMatch(q -> q.getPartition() == 3),
                "the expired one is not closed");
    }

    @Test
    void aFailoverOfOnePartitionFlushesOnlyItsPathsFromTheCache() throws Exception {
        partitioned(4);
        String on1 = fileOn(1, 4);
        String on3 = fileOn(3, 4);
        b.on(Request.BodyCase.GET_CONTENTS, x -> {
            byte[] d = b.files.get(x.request.getGetContents().getHandle().toStringUtf8());
            x.reply(Response.newBuilder().setGetContents(GetContentsReply.newBuilder()
                    .setContents(ByteString.copyFrom(d)).setStat(FakeReplica.stat(1, d.length)).setCacheable(true)));
        });
        AtomicBoolean failOver = new AtomicBoolean();
        b.on(Request.BodyCase.KEEP_ALIVE, x -> {
            if (x.request.getPartition() == 3 && failOver.compareAndSet(true, false)) {
                x.reply(Response.newBuilder().setKeepAlive(KeepAliveReply.newBuilder().setLeaseMs(2000).setEpoch(2)
                        .addEvents(EventMessage.newBuilder().setSeq(1).setKind(EventKind.MASTER_FAILED_OVER))));
            } else {
                b.standard(x);
            }
        });
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        try (ChubbyClient c = FakeReplica.connect(a, b)) {
            c.addEventListener(events::add);
            c.write(on1, V);
            c.write(on3, V);
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(V, c.read(on1));
                assertArrayEquals(V, c.read(on3));
            }
            assertEquals(1, gets(1), "partition 1's file read once, then from the cache");
            assertEquals(1, gets(3));

            failOver.set(true);
            Event e = events.poll(5, TimeUnit.SECONDS);
            assertEquals(EventType.MASTER_FAILED_OVER, e.type(), "partition 3's failover, in the one event stream");
            assertEquals(3, e.partition(), "the event names the partition whose master changed");
            Await.until("partition 3 acknowledged the failover", () -> of(b, Request.BodyCase.KEEP_ALIVE).stream()
                    .anyMatch(q -> q.getPartition() == 3 && q.getKeepAlive().getAckedFailover()));
            assertArrayEquals(V, c.read(on1));
            assertArrayEquals(V, c.read(on3));
            assertEquals(1, gets(1), "partition 1's entry kept");
            assertEquals(2, gets(3), "partition 3's entry flushed");
        }
    }

    /** GetContents B received for partition {@code p}. */
    private long gets(int p) {
        return of(b, Request.BodyCase.GET_CONTENTS).stream().filter(q -> q.getPartition() == p).count();
    }

    @Test
    void jeopardyOfOnePartitionHoldsOnlyItsCalls() throws Exception {
        partitioned(4);
        String on1 = fileOn(1, 4);
        String on3 = fileOn(3, 4);
        try (ChubbyClient c = FakeReplica.connect(a, b)) {
            c.write(on1, V);
            c.write(on3, V);
            b.on(Request.BodyCase.KEEP_ALIVE, x -> {
                if (x.request.getPartition() != 3) {
                    b.standard(x);
                } // partition 3's KeepAlives are held: its lease runs out
            });
            Await.until("jeopardy", () -> c.sessionState() == SessionState.JEOPARDY);
            long opens3 = of(b, Request.BodyCase.OPEN).stream().filter(q -> q.getPartition() == 3).count();
            c.write(on1, "w".getBytes(StandardCharsets.UTF_8));
            c.write(fileOn(0, 4), V);
            assertEquals(SessionState.JEOPARDY, c.sessionState(), "partition 3 is still in jeopardy");
            var held = c.writeAsync(on3, "w".getBytes(StandardCharsets.UTF_8));
            c.write(on1, V); // a fence: a later call of another partition, answered
            assertFalse(held.isDone(), "a call to partition 3 waits for its session");
            assertEquals(opens3, of(b, Request.BodyCase.OPEN).stream().filter(q -> q.getPartition() == 3).count(),
                    "nothing sent to partition 3 meanwhile");
            b.off(Request.BodyCase.KEEP_ALIVE);
            held.get(5, TimeUnit.SECONDS);
            assertEquals(SessionState.SAFE, c.sessionState());
        }
    }
}
