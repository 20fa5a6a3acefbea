package io.chubby.client.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.MasterChannel;
import io.chubby.client.MasterChannel.Retry;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.GetStatRequest;
import io.chubby.protocol.Invalidation;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetContentsRequest;
import io.chubby.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The public raw channel against scripted fake replicas: redirects, retry rules, matching, close. */
class MasterChannelTest {
    private static final long SESSION = 7;
    @RegisterExtension
    final Closer closer = new Closer();

    private FakeReplica replica(int id) throws Exception {
        return closer.replica(id);
    }

    private MasterChannel channel(FakeReplica... replicas) {
        return closer.client(ChubbyClient.openChannel(FakeReplica.options(replicas)));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] getContents(String handle) {
        return Request.newBuilder().setSessionId(SESSION).setGetContents(GetContentsRequest.newBuilder()
                .setHandle(ByteString.copyFromUtf8(handle))).build().toByteArray();
    }

    private static byte[] getStat(String handle) {
        return Request.newBuilder().setSessionId(SESSION).setGetStat(GetStatRequest.newBuilder()
                .setHandle(ByteString.copyFromUtf8(handle))).build().toByteArray();
    }

    private static byte[] setContents(String handle, String data) {
        return Request.newBuilder().setSessionId(SESSION).setSetContents(SetContentsRequest.newBuilder()
                .setHandle(ByteString.copyFromUtf8(handle)).setContents(ByteString.copyFromUtf8(data)))
                .build().toByteArray();
    }

    private static Response answer(CompletableFuture<byte[]> f) throws Exception {
        return Response.parseFrom(f.get(10, TimeUnit.SECONDS));
    }

    private static ChubbyException failure(CompletableFuture<byte[]> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return assertInstanceOf(ChubbyException.class, e.getCause());
        }
        throw new AssertionError("the call succeeded");
    }

    /** A channel over {@code old} (the master, /f = "old") and {@code fresh} (/f = "x") that found old. */
    private MasterChannel channelOnOld(FakeReplica old, FakeReplica fresh) throws Exception {
        old.files.put("/f", b("old"));
        fresh.files.put("/f", b("x"));
        MasterChannel ch = channel(old, fresh);
        assertEquals(3, answer(ch.call(getStat("/f"), Retry.IDEMPOTENT)).getStat().getSize(), "old is the master");
        return ch;
    }

    @Test
    void followsANotMasterRedirectAndStampsTheEpochItLearned() throws Exception {
        FakeReplica old = replica(1);
        FakeReplica fresh = replica(2);
        MasterChannel ch = channelOnOld(old, fresh);
        assertEquals(old.address(), ch.masterAddress().orElseThrow());
        assertEquals(1, ch.epoch());
        // the master moves: old refuses and names fresh, at a new epoch
        fresh.epoch = 2;
        old.on(Request.BodyCase.GET_STAT, x -> x.notMaster(fresh));
        old.on(Request.BodyCase.SET_CONTENTS, x -> x.notMaster(fresh));
        Response r = answer(ch.call(getStat("/f"), Retry.IDEMPOTENT));
        assertFalse(r.hasError(), r.toString());
        assertEquals(1, r.getStat().getSize());
        assertEquals(fresh.address(), ch.masterAddress().orElseThrow());
        assertEquals(2, ch.epoch());
        Request seen = fresh.received.stream().filter(Request::hasGetStat).findFirst().orElseThrow();
        assertEquals(2, seen.getEpoch());
        assertEquals(SESSION, seen.getSessionId(), "the session id is the caller's");
        // a refused write certainly did not take effect: it follows the master too
        assertFalse(answer(ch.call(setContents("/f", "y"), Retry.AT_MOST_ONCE)).hasError());
        assertArrayEquals(b("y"), fresh.files.get("/f"));
        assertEquals(0, old.count(Request.BodyCase.SET_CONTENTS), "later calls go straight to the new master");
    }

    @Test
    void leavesAReplicaThatSaysItIsLeavingOnlyOnceItsCallsThereAreAnswered() throws Exception {
        FakeReplica old = replica(1);
        FakeReplica fresh = replica(2);
        MasterChannel ch = channelOnOld(old, fresh);
        CompletableFuture<FakeReplica.Exchange> held = new CompletableFuture<>();
        old.on(Request.BodyCase.SET_CONTENTS, held::complete); // a write the old master is still working on
        CompletableFuture<byte[]> write = ch.call(setContents("/f", "w"), Retry.AT_MOST_ONCE);
        FakeReplica.Exchange x = held.get(10, TimeUnit.SECONDS);
        fresh.epoch = 2;
        old.leave(fresh);
        Await.until("the client heard the notice", () -> !ch.masterAddress().equals(java.util.Optional.of(old.address())));
        // new calls go where the notice says, while the write in flight waits for its answer
        assertEquals(1, answer(ch.call(getStat("/f"), Retry.IDEMPOTENT)).getStat().getSize());
        assertEquals(fresh.address(), ch.masterAddress().orElseThrow());
        assertEquals(2, ch.epoch(), "the notice's epoch is learned");
        assertEquals(1, old.count(Request.BodyCase.GET_STAT), "nothing new went to the leaving replica");
        assertEquals(0, old.closedByClient.get(), "a connection with a call in flight stays open");
        assertFalse(write.isDone());
        old.standard(x);
        assertFalse(answer(write).hasError(), "the write in flight is answered, not cut off");
        assertArrayEquals(b("w"), old.files.get("/f"));
        Await.until("the client closed its connection to the leaving replica", () -> old.closedByClient.get() == 1);
    }

    @Test
    void retriesAReadAfterTheConnectionDrops() throws Exception {
        FakeReplica m = replica(1);
        m.files.put("/f", b("v"));
        m.on(Request.BodyCase.GET_CONTENTS, m.dropFirst());
        MasterChannel ch = channel(m);
        Response r = answer(ch.call(getContents("/f"), Retry.IDEMPOTENT));
        assertEquals("v", r.getGetContents().getContents().toStringUtf8());
        List<Request> sent = m.received.stream().filter(Request::hasGetContents).toList();
        assertEquals(2, sent.size(), "sent again on a new connection");
        assertTrue(sent.get(1).getCallId() > sent.get(0).getCallId(), "each attempt has its own call id");
        assertEquals(2, m.sockets.size());
    }

    /**
     * A write refused by a replica that is not (yet) master pauses before its next attempt; when the
     * master answers another call of the channel, the paused write goes at once. The timer here
     * holds every delayed task, so the write completes only if it is woken: without the wake it
     * would wait out its backoff (up to 250 ms; here: never).
     */
    @Test
    void aCallPausedBetweenAttemptsGoesAtOnceWhenTheMasterAnswersAnother() throws Exception {
        FakeReplica m = replica(1);
        m.files.put("/f", b("v"));
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        m.on(Request.BodyCase.SET_CONTENTS, x -> {
            if (refused.getAndIncrement() == 0) {
                x.fail(ErrorCode.NOT_MASTER, "no master yet"); // as during an election
            } else {
                m.standard(x);
            }
        });
        HeldTimer timer = closer.fixture(new HeldTimer());
        MasterFollower ch = closer.client(new MasterFollower(FakeReplica.options(m), timer, Runnable::run));
        CompletableFuture<byte[]> write = ch.call(setContents("/f", "w"), Retry.AT_MOST_ONCE);
        Await.until("the refused write pauses", () -> ch.pausedCalls() == 1);
        assertFalse(write.isDone());
        assertEquals("v", answer(ch.call(getContents("/f"), Retry.IDEMPOTENT)).getGetContents().getContents()
                .toStringUtf8());
        assertFalse(answer(write).hasError(), "woken by the read's answer");
        assertArrayEquals(b("w"), m.files.get("/f"));
        assertEquals(2, m.count(Request.BodyCase.SET_CONTENTS));
        assertEquals(0, ch.pausedCalls());
    }

    /** A timer that runs what is due now and holds anything scheduled later for a day (backoffs, deadlines). */
    private static final class HeldTimer extends java.util.concurrent.ScheduledThreadPoolExecutor
            implements AutoCloseable {
        HeldTimer() {
            super(1);
        }

        @Override
        public java.util.concurrent.ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
            return delay > 0 ? super.schedule(task, 1, TimeUnit.DAYS) : super.schedule(task, 0, unit);
        }

        @Override
        public void close() {
            shutdownNow();
        }
    }

    @Test
    void doesNotRetryAWriteWhoseOutcomeIsUnknown() throws Exception {
        FakeReplica m = replica(1);
        m.files.put("/f", b("v"));
        m.on(Request.BodyCase.SET_CONTENTS, FakeReplica.Exchange::drop);
        MasterChannel ch = channel(m);
        ChubbyException e = failure(ch.call(setContents("/f", "w"), Retry.AT_MOST_ONCE));
        assertEquals(ErrorCode.OUTCOME_UNKNOWN, e.code());
        assertTrue(e.detail().startsWith("outcome unknown: the set_contents request"), e.detail());
        assertEquals(1, m.count(Request.BodyCase.SET_CONTENTS));
        // the master saying the outcome is unknown is its final answer, handed back as it is
        m.on(Request.BodyCase.SET_CONTENTS, x -> x.fail(ErrorCode.OUTCOME_UNKNOWN, "outcome unknown: lost mastership"));
        Response r = answer(ch.call(setContents("/f", "w"), Retry.AT_MOST_ONCE));
        assertEquals(ErrorCode.OUTCOME_UNKNOWN.wire(), r.getError().getCode());
        assertEquals(2, m.count(Request.BodyCase.SET_CONTENTS));
        // and so is an older master's CELL_UNAVAILABLE "outcome unknown", untouched
        m.on(Request.BodyCase.SET_CONTENTS, x -> x.fail(ErrorCode.CELL_UNAVAILABLE, "lost leadership, outcome unknown"));
        r = answer(ch.call(setContents("/f", "w"), Retry.AT_MOST_ONCE));
        assertEquals(ErrorCode.CELL_UNAVAILABLE.wire(), r.getError().getCode());
        assertEquals(3, m.count(Request.BodyCase.SET_CONTENTS));
        // the same request declared idempotent is sent again after the drop
        m.on(Request.BodyCase.SET_CONTENTS, m.dropFirst());
        assertFalse(answer(ch.call(setContents("/f", "w"), Retry.IDEMPOTENT)).hasError());
        assertEquals(5, m.count(Request.BodyCase.SET_CONTENTS));
    }

    /**
     * Calls are stamped with call ids in the order they are made (overriding the request's own) and
     * each gets the answer to its own id, although the master answers in reverse order; futures
     * complete on callback threads, never on the I/O thread.
     */
    @Test
    void deliversEachAnswerToItsCallByIdInCallOrder() throws Exception {
        FakeReplica m = replica(1);
        int n = 8;
        for (int i = 0; i < n; i++) {
            m.files.put("/f" + i, b("v" + i));
        }
        List<FakeReplica.Exchange> held = new CopyOnWriteArrayList<>();
        Semaphore arrived = new Semaphore(0);
        m.on(Request.BodyCase.GET_CONTENTS, x -> {
            held.add(x);
            arrived.release();
        });
        MasterChannel ch = channel(m);
        List<CompletableFuture<byte[]>> calls = new ArrayList<>();
        List<CompletableFuture<String>> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] req = Request.newBuilder().mergeFrom(getContents("/f" + i)).setCallId(999).setEpoch(99).build()
                    .toByteArray();
            CompletableFuture<byte[]> f = ch.call(req, Retry.IDEMPOTENT);
            calls.add(f);
            threads.add(f.thenApply(v -> Thread.currentThread().getName()));
            // the next call is made once this one reached the master, so the order on the wire is the call order
            assertTrue(arrived.tryAcquire(10, TimeUnit.SECONDS));
        }
        long last = 0;
        for (int i = 0; i < n; i++) {
            Request r = held.get(i).request;
            assertEquals("/f" + i, r.getGetContents().getHandle().toStringUtf8());
            assertTrue(r.getCallId() > last, "call ids grow in call order");
            assertEquals(1, r.getEpoch(), "the channel's epoch, not the request's");
            assertEquals(SESSION, r.getSessionId());
            last = r.getCallId();
        }
        for (int i = n - 1; i >= 0; i--) {
            m.standard(held.get(i));
        }
        for (int i = 0; i < n; i++) {
            Response r = answer(calls.get(i));
            assertEquals("v" + i, r.getGetContents().getContents().toStringUtf8());
            assertEquals(held.get(i).request.getCallId(), r.getCallId());
            String thread = threads.get(i).get(10, TimeUnit.SECONDS);
            assertFalse(thread.startsWith("ClientNioProcessor"), "completed on the I/O thread: " + thread);
        }
    }

    /** A proxy sees a session's events and invalidations: the KeepAlive reply comes back whole. */
    @Test
    void keepAliveRepliesComeBackWholeAndTeachTheEpoch() throws Exception {
        FakeReplica m = replica(1);
        m.on(Request.BodyCase.KEEP_ALIVE, x -> x.reply(Response.newBuilder().setKeepAlive(KeepAliveReply.newBuilder()
                .setLeaseMs(12_000).setEpoch(5)
                .addEvents(EventMessage.newBuilder().setSeq(3).setKind(EventKind.CONTENTS_MODIFIED).setPath("/ls/test/f"))
                .addInvalidations(Invalidation.newBuilder().setId(4).setPath("/ls/test/g")))));
        MasterChannel ch = channel(m);
        byte[] ka = Request.newBuilder().setSessionId(SESSION).setKeepAlive(KeepAliveRequest.newBuilder()
                .setAckedEventSeq(2)).build().toByteArray();
        KeepAliveReply reply = answer(ch.call(ka, Retry.IDEMPOTENT, Duration.ofSeconds(5))).getKeepAlive();
        assertEquals(1, reply.getEventsCount());
        assertEquals("/ls/test/f", reply.getEvents(0).getPath());
        assertEquals("/ls/test/g", reply.getInvalidations(0).getPath());
        assertEquals(5, ch.epoch());
        assertEquals(2, m.received.stream().filter(Request::hasKeepAlive).findFirst().orElseThrow().getKeepAlive()
                .getAckedEventSeq());
        m.files.put("/f", b("v"));
        answer(ch.call(getContents("/f"), Retry.IDEMPOTENT));
        assertEquals(5, m.received.get(m.received.size() - 1).getEpoch());
    }

    @Test
    void failsWithCellUnavailableWhenNoReplicaNamesAMaster() throws Exception {
        FakeReplica dead = replica(1);
        ClientOptions o = FakeReplica.options(dead).toBuilder().callTimeout(Duration.ofMillis(500)).build();
        dead.close();
        MasterChannel ch = closer.client(ChubbyClient.openChannel(o));
        ChubbyException e = failure(ch.call(getContents("/f"), Retry.IDEMPOTENT));
        assertEquals(ErrorCode.CELL_UNAVAILABLE, e.code());
        assertTrue(e.detail().contains("no replica named a master"), e.detail());
        assertEquals(ErrorCode.INVALID_ARGUMENT, failure(ch.call(getContents("/f"), Retry.IDEMPOTENT,
                Duration.ZERO)).code());
    }

    @Test
    void closeFailsOutstandingCallsAndLeavesNoThreads() throws Exception {
        FakeReplica m = replica(1);
        m.files.put("/f", b("v"));
        CountDownLatch arrived = new CountDownLatch(1);
        m.on(Request.BodyCase.GET_STAT, x -> arrived.countDown()); // never answered
        MasterChannel ch = channel(m);
        assertFalse(answer(ch.call(getContents("/f"), Retry.IDEMPOTENT)).hasError());
        CompletableFuture<byte[]> pending = ch.call(getStat("/f"), Retry.IDEMPOTENT);
        assertTrue(arrived.await(10, TimeUnit.SECONDS));
        List<Thread> before = channelThreads();
        assertFalse(before.isEmpty());
        ch.close();
        ch.close(); // idempotent
        assertEquals(ErrorCode.CANCELLED, failure(pending).code());
        assertEquals(ErrorCode.CANCELLED, failure(ch.call(getContents("/f"), Retry.IDEMPOTENT)).code());
        for (Thread t : channelThreads()) {
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(t.isAlive(), "still running after close: " + t.getName());
        }
    }

    /** The channel's own threads and MINA's (no client of another test is open while this runs). */
    private static List<Thread> channelThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("chubby-channel") || t.getName().startsWith("ClientNioProcessor")
                        || t.getName().startsWith("NioSocketConnector"))
                .toList();
    }
}
