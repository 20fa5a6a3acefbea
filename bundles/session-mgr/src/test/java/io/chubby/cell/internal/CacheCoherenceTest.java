package io.chubby.cell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.Create;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.protocol.GetContentsReply;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.Invalidation;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetContentsRequest;
import io.chubby.testkit.CapturingConnection;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.MemoryStateStore;
import io.chubby.testkit.MutableClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Concurrent writers and caching readers against the real master edge (test doubles below it):
 * a read that starts after a write returned never sees an older value, whether served from the
 * reader's cache or by the master. The readers model the client library's cache rules.
 */
class CacheCoherenceTest {
    private static final String PATH = "/ls/c/hot";

    /** One client session with a cache that follows the client library's rules. */
    private static final class CachingClient {
        private static final AtomicLong CALL_IDS = new AtomicLong();
        final CellServer server;
        final CapturingConnection conn = new CapturingConnection(); // shared by many threads
        final long session;
        final long epoch;
        ByteString handle;
        // cache: value + generation, plus the invalidation counter that voids fills in flight
        private final Map<String, long[]> cache = new HashMap<>();
        private long cacheGeneration;
        private final List<Long> toAck = new ArrayList<>();
        long hits;

        CachingClient(CellServer server) throws Exception {
            this.server = server;
            Response r = call(Request.newBuilder().setCreateSession(CreateSessionRequest.newBuilder()
                    .setClientName("c")), 0, 0).get(5, TimeUnit.SECONDS);
            session = r.getCreateSession().getSessionId();
            epoch = r.getCreateSession().getEpoch();
        }

        CompletableFuture<Response> call(Request.Builder b, long session, long epoch) {
            long id = CALL_IDS.incrementAndGet();
            CompletableFuture<Response> f = conn.response(id);
            server.request(conn, b.setCallId(id).setSessionId(session).setEpoch(epoch).build().toByteArray());
            return f;
        }

        Response call(Request.Builder b) throws Exception {
            Response r = call(b, session, epoch).get(10, TimeUnit.SECONDS);
            if (r.hasError()) {
                throw new AssertionError(r.getError().toString());
            }
            return r;
        }

        void open(int mode, Create create) throws Exception {
            handle = call(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(PATH).setModeBits(mode)
                    .setCreate(create).setInitialContents(ByteString.copyFromUtf8("0")))).getOpen().getHandle();
        }

        /** The content generation read (from the cache when possible). */
        long read() throws Exception {
            long since;
            synchronized (this) {
                long[] hit = cache.get(PATH);
                if (hit != null) {
                    hits++;
                    return hit[0];
                }
                since = cacheGeneration;
            }
            GetContentsReply g = call(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder()
                    .setHandle(handle))).getGetContents();
            long gen = g.getStat().getContentGeneration();
            assertEquals(Long.toString(gen), g.getContents().toStringUtf8(), "contents match their generation");
            synchronized (this) {
                if (g.getCacheable() && since == cacheGeneration) {
                    cache.put(PATH, new long[] {gen});
                }
            }
            return gen;
        }

        long write(long gen) throws Exception {
            try {
                return call(Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(handle)
                        .setContents(ByteString.copyFromUtf8(Long.toString(gen))).setCas(true)
                        .setExpectedGeneration(gen - 1))).getSetContents().getStat().getContentGeneration();
            } finally {
                synchronized (this) {
                    cache.remove(PATH);
                    cacheGeneration++;
                }
            }
        }

        /** One KeepAlive round: send acks, wait for the (early) reply, apply invalidations. */
        void keepAliveOnce(long waitMs) throws Exception {
            KeepAliveRequest.Builder ka = KeepAliveRequest.newBuilder();
            synchronized (this) {
                ka.addAllAckedInvalidations(toAck);
                toAck.clear();
            }
            CompletableFuture<Response> f = call(Request.newBuilder().setKeepAlive(ka), session, epoch);
            Response r;
            try {
                r = f.get(waitMs, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException held) {
                return; // still held; the next KeepAlive supersedes it
            }
            KeepAliveReply k = r.getKeepAlive();
            synchronized (this) {
                for (Invalidation inv : k.getInvalidationsList()) {
                    cache.remove("/ls/c" + inv.getPath());
                    cacheGeneration++;
                    toAck.add(inv.getId());
                }
            }
        }
    }

    @Test
    void noReadSeesAValueOlderThanAWriteThatReturnedBeforeItStarted() throws Exception {
        MutableClock clock = new MutableClock();
        CellServer server = new CellServer(new FakeConsensus(), new MemoryStateStore(),
                new CellSettings("c", 1024, 12_000, 60_000, 1_000, 0), clock);
        server.start();
        try {
            CachingClient writer = new CachingClient(server);
            writer.open(3, Create.CREATE_MUST);
            writer.write(2); // contents == generation from here on
            List<CachingClient> readers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                CachingClient c = new CachingClient(server);
                c.open(1, Create.CREATE_NO);
                readers.add(c);
            }
            AtomicLong returned = new AtomicLong(2);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger reads = new AtomicInteger();
            List<String> anomalies = new CopyOnWriteList();
            List<Thread> threads = new ArrayList<>();
            for (CachingClient c : readers) {
                threads.add(new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            c.keepAliveOnce(20);
                        }
                    } catch (Exception e) {
                        anomalies.add("keepalive: " + e);
                    }
                }));
                threads.add(new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            long floor = returned.get();
                            long got = c.read();
                            reads.incrementAndGet();
                            if (got < floor) {
                                anomalies.add("stale read " + got + " after write " + floor + " returned");
                            }
                        }
                    } catch (Exception e) {
                        anomalies.add("read: " + e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (long gen = 3; gen <= 150; gen++) {
                long written = writer.write(gen);
                assertEquals(gen, written);
                returned.set(written);
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join(10_000);
            }
            assertEquals(List.of(), anomalies);
            long hits = readers.stream().mapToLong(c -> c.hits).sum();
            assertTrue(reads.get() > 150, "reads ran: " + reads.get());
            assertTrue(hits > 0, "some reads were served from the cache");
        } finally {
            server.stop();
        }
    }

    /** A synchronized list small enough not to need java.util.concurrent's copy-on-write one. */
    private static final class CopyOnWriteList extends java.util.concurrent.CopyOnWriteArrayList<String> {
        private static final long serialVersionUID = 1L;
    }
}
