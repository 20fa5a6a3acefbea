package io.chubby.cell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.AcquireRequest;
import io.chubby.protocol.Create;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.LockModeKind;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.spi.SessionView;
import io.chubby.spi.SessionView.Lock;
import io.chubby.spi.SessionView.Party;
import io.chubby.spi.SessionView.Session;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.MemoryStateStore;
import io.chubby.testkit.MutableClock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SPI 1.11's {@link SessionView} over a cell's applied state: sessions, holders, waiters, lock-delay. */
class SessionViewTest {
    private static final int RW = 3;
    private final MutableClock clock = new MutableClock();
    private final FakeConsensus consensus = new FakeConsensus();
    private final CellSettings settings = new CellSettings("c", 1024, 12_000, 60_000, 1_000, 0);
    private CellServer server;

    @BeforeEach
    void start() {
        server = new CellServer(consensus, new MemoryStateStore(), settings, clock);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void sessionsWithTheirHandlesAndLocksWithHoldersWaitersAndTheirDelay() {
        SessionView view = server.sessions();
        assertEquals(List.of(), view.sessions());
        assertEquals(List.of(), view.locks());
        TestClient a = client();
        TestClient b = client();
        ByteString ha = open(a, "/ls/c/l", 3_000);
        ByteString hb = open(b, "/ls/c/l", 0);
        open(b, "/ls/c/other", 0);
        a.ok(acquire(ha, LockModeKind.EXCLUSIVE));
        send(b, acquire(hb, LockModeKind.EXCLUSIVE)); // waits

        List<Session> sessions = view.sessions();
        assertEquals(List.of(a.session, b.session), sessions.stream().map(Session::id).toList());
        assertEquals(List.of(1, 2), sessions.stream().map(Session::handles).toList());
        assertEquals("t", sessions.get(0).clientName());
        assertEquals("anonymous", sessions.get(0).principal());
        List<Lock> locks = view.locks();
        assertEquals(1, locks.size(), "/other is open but not locked: " + locks);
        Lock l = locks.get(0);
        assertEquals("/l", l.path());
        assertEquals(List.of(a.session), l.holders().stream().map(Party::sessionId).toList());
        assertEquals(List.of(b.session), l.waiters().stream().map(Party::sessionId).toList());
        assertEquals(false, l.holders().get(0).shared());
        assertEquals(0, l.delayUntilMillis());
        assertThrows(UnsupportedOperationException.class, () -> view.sessions().clear(), "read-only");

        // a's lease ends: its session goes, b's Acquire still waits, the lock is delayed 3 s
        clock.advance(6_000);
        send(b, Request.newBuilder().setKeepAlive(KeepAliveRequest.getDefaultInstance())); // held: b stays
        clock.advance(6_000);
        server.tick();
        assertEquals(List.of(b.session), view.sessions().stream().map(Session::id).toList());
        Lock delayed = view.locks().get(0);
        assertEquals(List.of(), delayed.holders());
        assertEquals(1, delayed.waiters().size());
        assertEquals(clock.millis() + 3_000, delayed.delayUntilMillis());
    }

    private TestClient client() {
        TestClient c = new TestClient(server);
        c.createSession();
        return c;
    }

    private static ByteString open(TestClient c, String path, long lockDelayMs) {
        return c.ok(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(path).setModeBits(RW)
                .setCreate(Create.CREATE_MAY).setLockDelayMs(lockDelayMs))).getOpen().getHandle();
    }

    /** Sends without expecting an answer yet. */
    private void send(TestClient c, Request.Builder req) {
        server.request(c.conn, req.setCallId(++c.callId).setSessionId(c.session).setEpoch(c.epoch).build()
                .toByteArray());
    }

    private static Request.Builder acquire(ByteString h, LockModeKind mode) {
        return Request.newBuilder().setAcquire(AcquireRequest.newBuilder().setHandle(h).setMode(mode));
    }
}
