package io.chubby.client.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.Event;
import io.chubby.api.EventType;
import io.chubby.api.OpenOptions;
import io.chubby.client.CacheMode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.GetContentsReply;
import io.chubby.protocol.Invalidation;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client cache: hits without round trips, invalidation and acknowledgement, failover flush, absence, per-handle events. */
class CacheTest {
    private static final String F = "/ls/test/f";
    private FakeReplica master;
    private ChubbyClient client;
    private final List<FakeReplica.Exchange> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        master = new FakeReplica(1);
        master.leaseMs = 5000;
        master.files.put(F, "v1".getBytes());
        // Reads are cacheable (as the real master answers when no write is in progress).
        master.on(Request.BodyCase.GET_CONTENTS, x -> {
            byte[] d = master.files.get(x.request.getGetContents().getHandle().toStringUtf8());
            x.reply(Response.newBuilder().setGetContents(GetContentsReply.newBuilder()
                    .setContents(ByteString.copyFrom(d)).setStat(FakeReplica.stat(1, d.length)).setCacheable(true)));
        });
        master.on(Request.BodyCase.KEEP_ALIVE, held::add);
        client = ChubbyClient.connect(ClientOptions.builder().cell(master.address())
                .callTimeout(Duration.ofSeconds(2)).build());
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        master.close();
    }

    private static void await(BooleanSupplier c, String what) {
        Await.until(what, c);
    }

    /** Answers the oldest held KeepAlive with {@code reply} (lease added). */
    private void answerKeepAlive(KeepAliveReply.Builder reply) throws InterruptedException {
        await(() -> !held.isEmpty(), "a KeepAlive");
        FakeReplica.Exchange x = held.remove(0);
        x.reply(Response.newBuilder().setKeepAlive(reply.setLeaseMs(master.leaseMs).setEpoch(master.epoch)));
    }

    private Request lastKeepAlive() {
        List<Request> kas = master.received.stream().filter(Request::hasKeepAlive).toList();
        return kas.get(kas.size() - 1);
    }

    @Test
    void cachedReadsNeedNoRoundTripUntilInvalidated() throws Exception {
        try (Handle h = client.open(F, OpenOptions.read())) {
            assertArrayEquals("v1".getBytes(), h.getContentsAndStat().data());
            long gets = master.count(Request.BodyCase.GET_CONTENTS);
            for (int i = 0; i < 100; i++) {
                assertArrayEquals("v1".getBytes(), h.getContentsAndStat().data());
                assertArrayEquals("v1".getBytes(), client.read(F));
            }
            h.getStat();
            assertEquals(gets, master.count(Request.BodyCase.GET_CONTENTS), "served from the cache");

            master.files.put(F, "v2".getBytes());
            answerKeepAlive(KeepAliveReply.newBuilder().addInvalidations(Invalidation.newBuilder().setId(41)
                    .setPath("/f")));
            await(() -> held.size() == 1 && lastKeepAlive().getKeepAlive().getAckedInvalidationsList()
                    .contains(41L), "the acknowledgement of invalidation 41");
            // Acknowledged means dropped: the next read goes to the master.
            assertArrayEquals("v2".getBytes(), h.getContentsAndStat().data());
            assertEquals(gets + 1, master.count(Request.BodyCase.GET_CONTENTS));
        }
    }

    @Test
    void ownWriteDropsTheEntryBeforeReturning() throws Exception {
        master.files.put(F, "v1".getBytes());
        try (Handle h = client.open(F, OpenOptions.write())) {
            h.getContentsAndStat();
            h.setContents("v2".getBytes());
            assertArrayEquals("v2".getBytes(), h.getContentsAndStat().data());
        }
    }

    @Test
    void uncacheableAnswersAreNotCached() throws Exception {
        master.off(Request.BodyCase.GET_CONTENTS);
        try (Handle h = client.open(F, OpenOptions.read())) {
            h.getContentsAndStat();
            h.getContentsAndStat();
            assertEquals(2, master.count(Request.BodyCase.GET_CONTENTS));
        }
    }

    @Test
    void failoverEventFlushesTheCacheAndIsAcknowledged() throws Exception {
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        client.addEventListener(events::add);
        try (Handle h = client.open(F, OpenOptions.read())) {
            h.getContentsAndStat();
            long gets = master.count(Request.BodyCase.GET_CONTENTS);
            answerKeepAlive(KeepAliveReply.newBuilder().addEvents(EventMessage.newBuilder().setSeq(100)
                    .setKind(EventKind.MASTER_FAILED_OVER)));
            Event e = events.poll(5, TimeUnit.SECONDS);
            assertEquals(EventType.MASTER_FAILED_OVER, e.type());
            await(() -> held.size() == 1 && lastKeepAlive().getKeepAlive().getAckedFailover(), "acked_failover");
            assertEquals(100, lastKeepAlive().getKeepAlive().getAckedEventSeq());
            h.getContentsAndStat();
            assertEquals(gets + 1, master.count(Request.BodyCase.GET_CONTENTS), "flushed");
        }
    }

    @Test
    void cacheDroppedFlushesTheCacheIsAcknowledgedAgainWhenResentAndIsNoApplicationEvent() throws Exception {
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        client.addEventListener(events::add);
        try (Handle h = client.open(F, OpenOptions.read())) {
            h.getContentsAndStat();
            long gets = master.count(Request.BodyCase.GET_CONTENTS);
            answerKeepAlive(KeepAliveReply.newBuilder().addEvents(EventMessage.newBuilder().setSeq(7)
                    .setKind(EventKind.CACHE_DROPPED)));
            await(() -> held.size() == 1 && lastKeepAlive().getKeepAlive().getAckedCacheDropped(),
                    "acked_cache_dropped");
            assertEquals(7, lastKeepAlive().getKeepAlive().getAckedEventSeq(), "with the event's sequence number");
            h.getContentsAndStat();
            assertEquals(gets + 1, master.count(Request.BodyCase.GET_CONTENTS), "flushed");
            // Resent (our acknowledgement was lost with its KeepAlive): acknowledged again.
            long kas = master.count(Request.BodyCase.KEEP_ALIVE);
            answerKeepAlive(KeepAliveReply.newBuilder().addEvents(EventMessage.newBuilder().setSeq(7)
                    .setKind(EventKind.CACHE_DROPPED)));
            await(() -> held.size() == 1 && master.count(Request.BodyCase.KEEP_ALIVE) > kas, "the next KeepAlive");
            assertTrue(lastKeepAlive().getKeepAlive().getAckedCacheDropped());
            // The application hears the next event first: the drop is the library's business.
            answerKeepAlive(KeepAliveReply.newBuilder().addEvents(EventMessage.newBuilder().setSeq(8)
                    .setKind(EventKind.CONTENTS_MODIFIED).setPath(F).setGeneration(3)));
            assertEquals(EventType.CONTENTS_MODIFIED, events.poll(5, TimeUnit.SECONDS).type());
        }
    }

    @Test
    void uncachedReadsAlwaysAskTheMasterWithNoCacheAndFillNothing() throws Exception {
        try (Handle h = client.open(F, OpenOptions.read())) {
            assertArrayEquals("v1".getBytes(), h.getContentsAndStat(CacheMode.UNCACHED).data());
            assertArrayEquals("v1".getBytes(), client.read(F, CacheMode.UNCACHED));
            List<Request> gets = master.received.stream().filter(Request::hasGetContents).toList();
            assertEquals(2, gets.size());
            assertTrue(gets.stream().allMatch(r -> r.getGetContents().getNoCache()), "sent with no_cache");
            // Nothing was cached (although the fake master said cacheable): a cached read asks too, and fills.
            h.getContentsAndStat();
            h.getContentsAndStat();
            assertEquals(3, master.count(Request.BodyCase.GET_CONTENTS));
            assertFalse(lastGet().getGetContents().getNoCache());
            // With the value cached, an uncached read still goes to the master.
            h.getContentsAndStat(CacheMode.UNCACHED);
            assertEquals(4, master.count(Request.BodyCase.GET_CONTENTS));
        }
    }

    private Request lastGet() {
        List<Request> gets = master.received.stream().filter(Request::hasGetContents).toList();
        return gets.get(gets.size() - 1);
    }

    @Test
    void absenceIsCachedAndCreationForgetsIt() throws Exception {
        ChubbyException e = assertThrows(ChubbyException.class, () -> client.read("/ls/test/none"));
        assertEquals(ErrorCode.NO_SUCH_NODE, e.code());
        long opens = master.count(Request.BodyCase.OPEN);
        assertFalse(client.exists("/ls/test/none"));
        assertThrows(ChubbyException.class, () -> client.open("/ls/test/none", OpenOptions.read()));
        assertEquals(opens, master.count(Request.BodyCase.OPEN), "absence served from the cache");
        client.write("/ls/test/none", "x".getBytes());
        assertTrue(client.exists("/ls/test/none"));
    }

    @Test
    void anAbsenceAnsweredUncacheableIsNotCachedAndOpensSayTheyHonourTheFlag() throws Exception {
        // as a proxy answers from its own cache: the master registered the proxy's session, not ours
        master.on(Request.BodyCase.OPEN, x -> x.reply(Response.newBuilder().setError(io.chubby.protocol.Error
                .newBuilder().setCode(ErrorCode.NO_SUCH_NODE.wire()).setMessage("/ls/test/none does not exist")
                .setUncacheable(true))));
        long opens = master.count(Request.BodyCase.OPEN);
        assertFalse(client.exists("/ls/test/none"));
        ChubbyException e = assertThrows(ChubbyException.class, () -> client.open("/ls/test/none", OpenOptions.read()));
        assertEquals(ErrorCode.NO_SUCH_NODE, e.code());
        assertEquals("/ls/test/none does not exist", e.detail());
        assertFalse(client.exists("/ls/test/none"));
        assertEquals(opens + 3, master.count(Request.BodyCase.OPEN), "every Open asked again: nothing cached");
        assertTrue(master.received.stream().filter(Request::hasOpen)
                .allMatch(r -> r.getOpen().getHonoursUncacheable()), "every Open declares it honours the flag");
    }

    @Test
    void handleListenersHearTheirHandlesEvents() throws Exception {
        BlockingQueue<Event> seen = new LinkedBlockingQueue<>();
        try (Handle h = client.open(F, OpenOptions.read().withEvents(java.util.Set.of(EventType.CONTENTS_MODIFIED)))) {
            h.addEventListener(seen::add);
            answerKeepAlive(KeepAliveReply.newBuilder()
                    .addEvents(EventMessage.newBuilder().setSeq(1).setKind(EventKind.CONTENTS_MODIFIED).setPath(F)
                            .setGeneration(2).setHandle(ByteString.copyFromUtf8(F)))
                    .addEvents(EventMessage.newBuilder().setSeq(2).setKind(EventKind.CONTENTS_MODIFIED)
                            .setPath("/ls/test/other").setGeneration(9).setHandle(ByteString.copyFromUtf8("other"))));
            Event e = seen.poll(5, TimeUnit.SECONDS);
            assertEquals(new Event(EventType.CONTENTS_MODIFIED, F, null, 2), e);
            assertEquals(null, seen.poll(200, TimeUnit.MILLISECONDS), "another handle's event is not ours");
        }
    }
}
