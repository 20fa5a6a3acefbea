package io.chubby.cell.internal;

import static io.chubby.cell.internal.TestClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.AcquireRequest;
import io.chubby.protocol.CheckSequencerRequest;
import io.chubby.protocol.CloseRequest;
import io.chubby.protocol.Create;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.GetSequencerRequest;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.LockInfoReply;
import io.chubby.protocol.LockInfoRequest;
import io.chubby.protocol.LockModeKind;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.ReleaseRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetSequencerRequest;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.MemoryStateStore;
import io.chubby.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Lock calls on the cell edge: held Acquires, timeouts, lock-delay timers, sequencers, events. */
class LockCallsTest {
    private static final int R = 1;
    private static final int RW = 3;
    private final MutableClock clock = new MutableClock();
    private final FakeConsensus consensus = new FakeConsensus();
    private final CellSettings settings = new CellSettings("c", 1024, 12_000, 60_000, 1_000, 0);
    private CellServer server;
    private TestClient a;
    private TestClient b;

    @BeforeEach
    void start() {
        server = new CellServer(consensus, new MemoryStateStore(), settings, clock);
        server.start();
        a = client();
        b = client();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private TestClient client() {
        TestClient c = new TestClient(server);
        c.createSession();
        return c;
    }

    private ByteString open(TestClient c, String path, long lockDelayMs, int eventMask) {
        Response r = c.ok(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(path).setModeBits(RW)
                .setCreate(Create.CREATE_MAY).setLockDelayMs(lockDelayMs).setEventMask(eventMask)));
        return r.getOpen().getHandle();
    }

    private static Request.Builder acquire(ByteString h, LockModeKind mode, boolean tryOnly, long timeoutMs) {
        return Request.newBuilder().setAcquire(AcquireRequest.newBuilder().setHandle(h).setMode(mode)
                .setTryOnly(tryOnly).setTimeoutMs(timeoutMs));
    }

    /** Sends without expecting an answer yet; returns the call id. */
    private long send(TestClient c, Request.Builder req) {
        long id = ++c.callId;
        server.request(c.conn, req.setCallId(id).setSessionId(c.session).setEpoch(c.epoch).build().toByteArray());
        return id;
    }

    private static Request.Builder release(ByteString h) {
        return Request.newBuilder().setRelease(ReleaseRequest.newBuilder().setHandle(h));
    }

    private LockInfoReply info(TestClient c, ByteString h) {
        return c.ok(Request.newBuilder().setLockInfo(LockInfoRequest.newBuilder().setHandle(h))).getLockInfo();
    }

    /**
     * A re-sent Acquire of the other mode must not be told GRANTED when the handle's earlier wait
     * is granted meanwhile: the client asking EXCLUSIVE would believe it holds what it shares
     * (found by the whole-cell simulation, seed 3089).
     */
    @Test
    void aGrantOfTheEarlierWaitIsNotTheAnswerToAnAcquireOfTheOtherMode() {
        ByteString ha = open(a, "/ls/c/m", 0, 0);
        ByteString hb = open(b, "/ls/c/m", 0, 0);
        assertTrue(a.ok(acquire(ha, LockModeKind.EXCLUSIVE, false, 0)).getAcquire().getAcquired());
        long shared = send(b, acquire(hb, LockModeKind.SHARED, false, 0));
        assertNull(b.conn.forCall(shared), "waits");
        consensus.hold();
        send(a, release(ha));                                             // applied first: grants b SHARED
        long exclusive = send(b, acquire(hb, LockModeKind.EXCLUSIVE, false, 0)); // replaces the held call
        consensus.release();
        Response r = b.conn.forCall(exclusive);
        assertNotNull(r);
        assertTrue(r.hasError(), () -> "the EXCLUSIVE request was answered " + r);
        assertEquals(ErrorCode.INVALID_ARGUMENT.wire(), r.getError().getCode());
        assertTrue(r.getError().getMessage().contains("SHARED"), r.getError().getMessage());
    }

    @Test
    void blockingAcquireIsGrantedOnReleaseWithEvents() {
        ByteString ha = open(a, "/ls/c/l", 10_000, 0);
        ByteString hb = open(b, "/ls/c/l", 10_000, 0);
        TestClient watcher = client();
        open(watcher, "/ls/c/l", 0, 1 << EventKind.LOCK_ACQUIRED_VALUE);
        Response first = a.ok(acquire(ha, LockModeKind.EXCLUSIVE, false, 0));
        assertTrue(first.getAcquire().getAcquired());
        assertEquals(1, first.getAcquire().getLockGeneration());

        long held = send(a, Request.newBuilder().setKeepAlive(KeepAliveRequest.getDefaultInstance()));
        long waiting = send(b, acquire(hb, LockModeKind.EXCLUSIVE, false, 0));
        assertNull(b.conn.forCall(waiting), "a blocking Acquire is held while the lock is taken");
        // The holder's held KeepAlive returns early with CONFLICTING_LOCK_REQUEST.
        Response ka = a.conn.forCall(held);
        assertNotNull(ka);
        assertEquals(EventKind.CONFLICTING_LOCK_REQUEST, ka.getKeepAlive().getEvents(0).getKind());
        assertEquals("/ls/c/l", ka.getKeepAlive().getEvents(0).getPath());
        LockInfoReply li = info(watcher, open(watcher, "/ls/c/l", 0, 0));
        assertEquals(a.session, li.getHolders(0).getSessionId());
        assertEquals("t", li.getHolders(0).getClientName());
        assertEquals(b.session, li.getWaiters(0).getSessionId());

        long watch = send(watcher, Request.newBuilder().setKeepAlive(KeepAliveRequest.newBuilder()
                .setAckedEventSeq(Long.MAX_VALUE)));
        a.ok(release(ha));
        Response granted = b.conn.forCall(waiting);
        assertNotNull(granted, "released: the held Acquire is answered");
        assertTrue(granted.getAcquire().getAcquired());
        assertEquals(2, granted.getAcquire().getLockGeneration());
        assertEquals(EventKind.LOCK_ACQUIRED, watcher.conn.forCall(watch).getKeepAlive().getEvents(0).getKind());
        assertEquals("0", server.statusForTest().getMetricsOrThrow("held_acquires"));
    }

    /** Issue 22: the Status numbers the metrics bundle exports as locks held, KeepAlives and events sent. */
    @Test
    void statusCountsLocksHeldKeepAlivesAndEventsSent() {
        java.util.function.Function<String, Long> metric = key -> Long.parseLong(
                server.statusForTest().getMetricsOrThrow(key));
        long keepAlives = metric.apply("keepalives");
        long events = metric.apply("events_sent");
        ByteString ha = open(a, "/ls/c/counted", 10_000, 0);
        ByteString hb = open(b, "/ls/c/counted2", 10_000, 0);
        assertEquals(0L, metric.apply("locks_held"));
        a.ok(acquire(ha, LockModeKind.EXCLUSIVE, false, 0));
        b.ok(acquire(hb, LockModeKind.SHARED, false, 0));
        assertEquals(2L, metric.apply("locks_held"));

        ByteString hc = open(b, "/ls/c/counted", 10_000, 0);
        long held = send(a, Request.newBuilder().setKeepAlive(KeepAliveRequest.getDefaultInstance()));
        long waiting = send(b, acquire(hc, LockModeKind.EXCLUSIVE, false, 0));
        assertEquals(EventKind.CONFLICTING_LOCK_REQUEST, a.conn.forCall(held).getKeepAlive().getEvents(0).getKind());
        assertEquals(keepAlives + 1, metric.apply("keepalives"));
        assertEquals(events + 1, metric.apply("events_sent"), "the conflicting-request event, once");

        a.ok(release(ha));
        assertNotNull(b.conn.forCall(waiting));
        assertEquals(2L, metric.apply("locks_held"), "b holds both now");
        b.ok(release(hb));
        assertEquals(1L, metric.apply("locks_held"));
    }

    @Test
    void tryAcquireFailsAtOnceAndTimeoutGivesUp() {
        ByteString ha = open(a, "/ls/c/l", 10_000, 0);
        ByteString hb = open(b, "/ls/c/l", 10_000, 0);
        a.ok(acquire(ha, LockModeKind.SHARED, false, 0));
        assertTrue(b.ok(acquire(hb, LockModeKind.SHARED, true, 0)).getAcquire().getAcquired());
        b.ok(release(hb));
        assertFalse(b.ok(acquire(hb, LockModeKind.EXCLUSIVE, true, 0)).getAcquire().getAcquired());

        long waiting = send(b, acquire(hb, LockModeKind.EXCLUSIVE, false, 500));
        clock.advance(400);
        server.tick();
        assertNull(b.conn.forCall(waiting));
        clock.advance(200);
        server.tick();
        Response timedOut = b.conn.forCall(waiting);
        assertNotNull(timedOut);
        assertFalse(timedOut.getAcquire().getAcquired());
        assertEquals(0, info(a, ha).getWaitersCount(), "the timed-out wait was cancelled through the log");
    }

    @Test
    void releaseWhileWaitingCancelsAndCloseReleases() {
        ByteString ha = open(a, "/ls/c/l", 10_000, 0);
        ByteString hb = open(b, "/ls/c/l", 10_000, 0);
        a.ok(acquire(ha, LockModeKind.EXCLUSIVE, false, 0));
        long waiting = send(b, acquire(hb, LockModeKind.EXCLUSIVE, false, 0));
        b.ok(release(hb));
        assertError(ErrorCode.CANCELLED, b.conn.forCall(waiting));
        long again = send(b, acquire(hb, LockModeKind.EXCLUSIVE, false, 0));
        a.ok(Request.newBuilder().setClose(CloseRequest.newBuilder().setHandle(ha)));
        assertTrue(b.conn.forCall(again).getAcquire().getAcquired());
    }

    @Test
    void readHandleCannotLock() {
        open(a, "/ls/c/l", 0, 0);
        ByteString ro = a.handle("/ls/c/l", R, Create.CREATE_NO, false, false, null);
        assertError(ErrorCode.PERMISSION_DENIED, a.call(acquire(ro, LockModeKind.EXCLUSIVE, true, 0)));
    }

    @Test
    void lockDelayIsHonouredAfterTheHolderExpires() {
        ByteString ha = open(a, "/ls/c/l", 3_000, 0);
        ByteString hb = open(b, "/ls/c/l", 10_000, 0);
        a.ok(acquire(ha, LockModeKind.EXCLUSIVE, false, 0));
        long waiting = send(b, acquire(hb, LockModeKind.EXCLUSIVE, false, 0));
        clock.advance(6_000);
        send(b, Request.newBuilder().setKeepAlive(KeepAliveRequest.getDefaultInstance()));
        clock.advance(6_000);
        server.tick(); // a's lease ends: EndSession(expired) applies, starting a 3 s lock-delay
        assertNull(b.conn.forCall(waiting), "no grant during the lock-delay");
        LockInfoReply li = info(b, hb);
        assertEquals(0, li.getHoldersCount());
        assertEquals(3_000, li.getLockDelayRemainingMs());
        clock.advance(2_900);
        server.tick();
        assertNull(b.conn.forCall(waiting));
        clock.advance(100);
        server.tick(); // LockDelayExpired proposed and applied
        Response granted = b.conn.forCall(waiting);
        assertNotNull(granted);
        assertTrue(granted.getAcquire().getAcquired());
    }

    @Test
    void sequencersCheckAndFence() {
        ByteString ha = open(a, "/ls/c/l", 0, 0);
        ByteString data = open(b, "/ls/c/data", 0, 0);
        assertError(ErrorCode.INVALID_ARGUMENT,
                a.call(Request.newBuilder().setGetSequencer(GetSequencerRequest.newBuilder().setHandle(ha))));
        a.ok(acquire(ha, LockModeKind.EXCLUSIVE, false, 0));
        ByteString seq = a.ok(Request.newBuilder().setGetSequencer(GetSequencerRequest.newBuilder().setHandle(ha)))
                .getSequencer().getSequencer();
        assertTrue(b.ok(Request.newBuilder().setCheckSequencer(CheckSequencerRequest.newBuilder()
                .setSequencer(seq))).getCheckSequencer().getValid());
        ByteString forged = seq.concat(ByteString.copyFromUtf8("x"));
        var bad = b.ok(Request.newBuilder().setCheckSequencer(CheckSequencerRequest.newBuilder().setSequencer(forged)))
                .getCheckSequencer();
        assertFalse(bad.getValid());
        assertTrue(bad.getReason().startsWith("forged"), bad.getReason());

        b.ok(Request.newBuilder().setSetSequencer(SetSequencerRequest.newBuilder().setHandle(data).setSequencer(seq)));
        b.ok(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(data)));
        a.ok(release(ha));
        var stale = b.ok(Request.newBuilder().setCheckSequencer(CheckSequencerRequest.newBuilder().setSequencer(seq)))
                .getCheckSequencer();
        assertFalse(stale.getValid());
        assertTrue(stale.getReason().contains("not held"), stale.getReason());
        assertError(ErrorCode.STALE_SEQUENCER,
                b.call(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(data))));
        b.ok(Request.newBuilder().setClose(CloseRequest.newBuilder().setHandle(data)));
    }

    @Test
    void failoverFailsHeldAcquiresAndAReSentAcquireReattaches() {
        ByteString ha = open(a, "/ls/c/l", 0, 0);
        ByteString hb = open(b, "/ls/c/l", 0, 0);
        a.ok(acquire(ha, LockModeKind.EXCLUSIVE, false, 0));
        long waiting = send(b, acquire(hb, LockModeKind.EXCLUSIVE, false, 0));
        consensus.loseMastership(2);
        assertError(ErrorCode.NOT_MASTER, b.conn.forCall(waiting));
        consensus.becomeMaster(2);
        a.epoch = 2;
        b.epoch = 2;
        // The wait is replicated: the re-sent Acquire re-attaches to it (same queue position).
        long again = send(b, acquire(hb, LockModeKind.EXCLUSIVE, false, 0));
        assertNull(b.conn.forCall(again));
        assertEquals(1, info(a, ha).getWaitersCount());
        a.ok(release(ha));
        assertTrue(b.conn.forCall(again).getAcquire().getAcquired());
        // Re-sending an Acquire the handle already holds answers at once (idempotent).
        assertTrue(b.ok(acquire(hb, LockModeKind.EXCLUSIVE, false, 0)).getAcquire().getAcquired());
    }

    @Test
    void orphanedWaitIsCancelledAfterALease() {
        ByteString ha = open(a, "/ls/c/l", 0, 0);
        ByteString hb = open(b, "/ls/c/l", 0, 0);
        a.ok(acquire(ha, LockModeKind.EXCLUSIVE, false, 0));
        send(b, acquire(hb, LockModeKind.EXCLUSIVE, false, 0));
        consensus.loseMastership(2);
        consensus.becomeMaster(2);
        a.epoch = 2;
        server.tick();
        clock.advance(12_000);
        server.tick();
        assertEquals(0, info(a, ha).getWaitersCount(), "nobody re-sent the Acquire: its wait was dropped");
    }

    @Test
    void statusNamesTheBackupTheStoreWasRestoredFrom() {
        assertNull(server.statusForTest().getMetricsMap().get("restored_from"), "not restored: no metric");
        CellServer restored = new CellServer(consensus, new MemoryStateStore().restoredFrom("restored from backup T"),
                settings, clock);
        assertEquals("restored from backup T", restored.statusForTest().getMetricsOrThrow("restored_from"));
    }
}
