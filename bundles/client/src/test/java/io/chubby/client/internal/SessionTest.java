package io.chubby.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.Event;
import io.chubby.api.EventType;
import io.chubby.api.OpenOptions;
import io.chubby.api.SessionState;
import io.chubby.api.Stat;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The KeepAlive loop and the SAFE / JEOPARDY / EXPIRED transitions, with short leases. */
class SessionTest {
    private static final String F = "/ls/test/f";
    private FakeReplica master;
    private ChubbyClient client;
    private final BlockingQueue<SessionState> states = new LinkedBlockingQueue<>();
    private final List<FakeReplica.Exchange> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        master = new FakeReplica(1);
        // leases roomy enough for a loaded 2-core machine: local lease 900 ms, replies every 200 ms
        master.leaseMs = 1000;
        master.keepAliveHoldMs = 200;
        master.files.put(F, new byte[] {1});
    }

    private ChubbyClient connect(Duration grace) {
        client = ChubbyClient.connect(ClientOptions.builder().cell(master.address()).callTimeout(Duration.ofSeconds(1))
                .gracePeriod(grace).retryBackoff(Duration.ofMillis(20)).build());
        client.addSessionListener(states::add);
        return client;
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        master.close();
    }

    /** Waits for the listener to report {@code expected}; transient flaps before it are skipped. */
    private void awaitState(SessionState expected) {
        Await.until("the session to become " + expected, () -> {
            for (SessionState s = states.poll(); s != null; s = states.poll()) {
                if (s == expected) {
                    return true;
                }
            }
            return false;
        });
    }

    private void holdKeepAlives() {
        master.on(Request.BodyCase.KEEP_ALIVE, held::add);
    }

    @Test
    void keepAlivesFlowOneAtATime() throws Exception {
        connect(Duration.ofSeconds(2));
        Await.until("three KeepAlives (the next leaves on each reply)", () -> master.count(Request.BodyCase.KEEP_ALIVE) >= 3);
        assertEquals(1, master.maxKeepAlivesOutstanding.get());
        assertEquals(SessionState.SAFE, client.sessionState());
        assertTrue(states.isEmpty());
        Request ka = master.received.stream().filter(Request::hasKeepAlive).findFirst().orElseThrow();
        assertEquals(7, ka.getSessionId());
        assertEquals(1, ka.getEpoch());
    }

    @Test
    void aMasterHoldingKeepAlivesUntilShortlyBeforeTheLeaseEndsCausesNoJeopardy() throws Exception {
        // like the real master: answer 15% of the lease before it ends (12 s lease, ~1.8 s margin)
        master.leaseMs = 2000;
        master.keepAliveHoldMs = 1700;
        client = ChubbyClient.connect(ClientOptions.builder().cell(master.address()).callTimeout(Duration.ofSeconds(1))
                .gracePeriod(Duration.ofSeconds(5)).maxReplyDelay(Duration.ofMillis(50)).build());
        client.addSessionListener(states::add);
        // The third KeepAlive leaves when the second reply came: two replies held until shortly before the lease end.
        Await.until("three KeepAlives", () -> master.count(Request.BodyCase.KEEP_ALIVE) >= 3);
        assertTrue(states.isEmpty(), "no jeopardy: " + states);
        assertEquals(SessionState.SAFE, client.sessionState());
    }

    @Test
    void jeopardyThenSafeWhenTheMasterAnswersWithinTheGracePeriod() throws Exception {
        connect(Duration.ofSeconds(5));
        Handle h = client.open(F, OpenOptions.read());
        Handle fence = client.open(F, OpenOptions.read());
        holdKeepAlives();
        awaitState(SessionState.JEOPARDY);
        assertEquals(SessionState.JEOPARDY, client.sessionState());
        CompletableFuture<Stat> blocked = h.getStatAsync();
        // Close does not wait for jeopardy and goes over the same connection after the GetStat:
        // once the master answered it, a GetStat that was not held back would have reached it.
        fence.closeAsync().get(5, TimeUnit.SECONDS);
        assertEquals(1, master.count(Request.BodyCase.CLOSE));
        assertFalse(blocked.isDone(), "calls wait while the session is in jeopardy");
        long statsBefore = master.count(Request.BodyCase.GET_STAT);
        assertEquals(0, statsBefore);
        master.off(Request.BodyCase.KEEP_ALIVE);
        for (FakeReplica.Exchange x : held) {
            x.reply(Response.newBuilder().setKeepAlive(KeepAliveReply.newBuilder().setLeaseMs(1000).setEpoch(1)));
        }
        awaitState(SessionState.SAFE);
        assertEquals(1, blocked.get(2, TimeUnit.SECONDS).instance());
        assertEquals(SessionState.SAFE, client.sessionState());
    }

    @Test
    void jeopardyThenExpiredWhenTheGracePeriodEnds() throws Exception {
        connect(Duration.ofMillis(300));
        Handle h = client.open(F, OpenOptions.read());
        holdKeepAlives();
        awaitState(SessionState.JEOPARDY);
        CompletableFuture<Stat> blocked = h.getStatAsync();
        awaitState(SessionState.EXPIRED);
        CompletableFuture<Object> seen = new CompletableFuture<>();
        blocked.whenComplete((v, e) -> seen.complete(e));
        assertEquals(ErrorCode.SESSION_EXPIRED, ((ChubbyException) seen.get(2, TimeUnit.SECONDS)).code());
        assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(ChubbyException.class, h::getContentsAndStat).code());
        assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(ChubbyException.class, () -> client.read(F)).code());
        h.poison(); // never fails
        h.close();  // never fails
        assertEquals(SessionState.EXPIRED, client.sessionState());
        assertEquals(0, master.count(Request.BodyCase.GET_STAT));
    }

    @Test
    void repliesWhoseLeaseHasAlreadyRunOutDoNotStopTheGracePeriod() throws Exception {
        // A master that answers every KeepAlive but never grants a lease that is still running when
        // the reply arrives (here: 0 ms). Such replies do not end jeopardy, so they must not stop
        // the grace period either: the session expires instead of waiting in jeopardy for ever.
        connect(Duration.ofMillis(800));
        Handle h = client.open(F, OpenOptions.read());
        holdKeepAlives();
        awaitState(SessionState.JEOPARDY);
        ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
        try {
            master.on(Request.BodyCase.KEEP_ALIVE, x -> later.schedule(() -> x.reply(Response.newBuilder()
                    .setKeepAlive(KeepAliveReply.newBuilder().setLeaseMs(0).setEpoch(1))), 50, TimeUnit.MILLISECONDS));
            for (FakeReplica.Exchange x : held) {
                x.reply(Response.newBuilder().setKeepAlive(KeepAliveReply.newBuilder().setLeaseMs(0).setEpoch(1)));
            }
            CompletableFuture<Stat> blocked = h.getStatAsync();
            awaitState(SessionState.EXPIRED);
            long keepAlivesAnswered = master.count(Request.BodyCase.KEEP_ALIVE);
            assertTrue(keepAlivesAnswered >= 2, "KeepAlives went on being answered: " + keepAlivesAnswered);
            CompletableFuture<Object> seen = new CompletableFuture<>();
            blocked.whenComplete((v, e) -> seen.complete(e));
            assertEquals(ErrorCode.SESSION_EXPIRED, ((ChubbyException) seen.get(2, TimeUnit.SECONDS)).code());
            assertEquals(0, master.count(Request.BodyCase.GET_STAT));
        } finally {
            later.shutdownNow();
        }
    }

    @Test
    void sessionExpiredFromTheMasterEndsTheSession() throws Exception {
        connect(Duration.ofSeconds(5));
        master.on(Request.BodyCase.KEEP_ALIVE, x -> x.fail(ErrorCode.SESSION_EXPIRED, "session 7 is gone"));
        awaitState(SessionState.EXPIRED);
        assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(ChubbyException.class, () -> client.stat(F)).code());
    }

    @Test
    void eventsRideOnKeepAliveRepliesAndAreAcknowledged() throws Exception {
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        AtomicBoolean listening = new AtomicBoolean();
        CountDownLatch acked = new CountDownLatch(1);
        master.on(Request.BodyCase.KEEP_ALIVE, x -> {
            if (x.request.getKeepAlive().getAckedEventSeq() == 5) {
                acked.countDown();
            }
            KeepAliveReply.Builder b = KeepAliveReply.newBuilder().setLeaseMs(1000).setEpoch(1);
            // Only once the listener is registered (the KeepAlive loop starts inside connect), and
            // again until acknowledged, as the master re-sends unacknowledged events.
            if (listening.get() && acked.getCount() > 0) {
                b.addEvents(EventMessage.newBuilder().setSeq(5).setKind(EventKind.CHILD_ADDED).setPath("/ls/test")
                        .setChild("c").setGeneration(3));
            }
            x.reply(Response.newBuilder().setKeepAlive(b));
        });
        connect(Duration.ofSeconds(2));
        client.addEventListener(events::add);
        listening.set(true);
        Event e = events.poll(5, TimeUnit.SECONDS);
        assertEquals(new Event(EventType.CHILD_ADDED, "/ls/test", "c", 3), e);
        assertTrue(acked.await(5, TimeUnit.SECONDS), "the next KeepAlive acknowledges the event");
    }

    @Test
    void closeEndsTheSessionAtTheMaster() throws Exception {
        connect(Duration.ofSeconds(2));
        client.close();
        assertEquals(1, master.count(Request.BodyCase.CLOSE_SESSION));
        assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(ChubbyException.class, () -> client.read(F)).code());
        client.close(); // idempotent
    }

    /**
     * A second close() while the first waits for the master's answer (a shutdown hook racing the
     * main thread) returns only after the first has ended the session: a process that exits once
     * its close() returned has always told the master.
     */
    @Test
    void aConcurrentCloseReturnsOnlyOnceTheSessionIsClosed() throws Exception {
        List<FakeReplica.Exchange> closes = new CopyOnWriteArrayList<>();
        master.on(Request.BodyCase.CLOSE_SESSION, closes::add);
        connect(Duration.ofSeconds(2));
        CompletableFuture<Void> first = CompletableFuture.runAsync(client::close);
        Await.until("the CloseSession to reach the master", () -> !closes.isEmpty());
        Thread second = new Thread(client::close, "second-close");
        second.start();
        Await.until("the second close() to wait", () -> second.getState() == Thread.State.TIMED_WAITING);
        assertTrue(second.isAlive(), "returned before the session was closed");
        assertFalse(first.isDone());
        closes.get(0).reply(Response.newBuilder().setEmpty(io.chubby.protocol.Empty.getDefaultInstance()));
        first.get(10, TimeUnit.SECONDS);
        second.join(10_000);
        assertFalse(second.isAlive());
        assertEquals(1, master.count(Request.BodyCase.CLOSE_SESSION), "one CloseSession for both");
    }
}
