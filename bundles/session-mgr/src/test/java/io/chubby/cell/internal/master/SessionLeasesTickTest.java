package io.chubby.cell.internal.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.testkit.CapturingConnection;
import io.chubby.testkit.MutableClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lease timer acts at the first tick at or after the time each action is due: an expiry at the
 * lease end, a held KeepAlive at the lease end less the margin, an idle report after the idle time.
 */
class SessionLeasesTickTest {
    private static final long LEASE = 12_000;
    private static final long MARGIN = 1_000;
    private static final long IDLE = 60_000;
    private static final long TICK = 100;

    private final MutableClock clock = new MutableClock();
    private final List<Long> expired = new ArrayList<>();
    private final List<Long> idle = new ArrayList<>();
    private final CellSettings settings = new CellSettings("local", 256 * 1024, LEASE, 60_000, MARGIN, TICK, IDLE,
            1_000);
    private final SessionLeases leases = new SessionLeases(settings, new LeasePolicy(settings), clock, () -> 3,
            new SessionLeases.Hooks() {
                @Override
                public void expire(long sessionId) {
                    expired.add(sessionId);
                }

                @Override
                public void idle(long sessionId) {
                    idle.add(sessionId);
                }
            });

    private void tickFor(long millis) {
        for (long t = 0; t < millis; t += TICK) {
            clock.advance(TICK);
            leases.tick();
        }
    }

    @Test
    void everyLeaseExpiresAtTheFirstTickAtOrAfterItsEnd() {
        for (long id = 1; id <= 1_000; id++) {
            leases.grant(id);
        }
        leases.tick();
        tickFor(LEASE - 2 * TICK);
        assertTrue(expired.isEmpty());
        tickFor(2 * TICK);
        assertEquals(1_000, expired.size(), "every lease expired at the first tick at or after its end");
    }

    @Test
    void aHeldKeepAliveIsAnsweredAtTheTickItIsDue() {
        leases.grant(1);
        CapturingConnection conn = new CapturingConnection();
        assertTrue(leases.keepAlive(conn, 7, 1, KeepAliveRequest.getDefaultInstance()));
        leases.tick();
        long start = clock.millis();
        assertNull(conn.forCall(7), "held, not due yet");
        while (conn.forCall(7) == null) {
            clock.advance(TICK);
            leases.tick();
        }
        // Due at the lease end less the margin: the first tick at or after it answered.
        long answeredAt = clock.millis() - start;
        assertTrue(answeredAt >= LEASE - MARGIN && answeredAt < LEASE - MARGIN + TICK, () -> "answered after "
                + answeredAt + " ms");
        assertTrue(conn.forCall(7).hasKeepAlive());
        assertTrue(expired.isEmpty());
    }

    @Test
    void aHeldKeepAliveCarriesANewEventAtOnce() {
        leases.grant(1);
        leases.tick();
        tickFor(5 * TICK);
        CapturingConnection conn = new CapturingConnection();
        leases.keepAlive(conn, 9, 1, KeepAliveRequest.getDefaultInstance());
        clock.advance(TICK);
        leases.tick();
        assertNull(conn.forCall(9), "held, not due");
        // An event for a held session is answered at once, without waiting for a tick.
        leases.queueEvent(1, EventMessage.newBuilder().setKind(EventKind.CONTENTS_MODIFIED));
        assertNotNull(conn.forCall(9));
        assertFalse(conn.forCall(9).getKeepAlive().getEventsList().isEmpty());
    }

    @Test
    void anIdleSessionIsReportedOnTime() {
        long idleMillis = 5_000; // shorter than a lease: reported while the lease runs, with nothing held
        CellSettings s = new CellSettings("local", 256 * 1024, LEASE, 60_000, MARGIN, TICK, idleMillis, 1_000);
        SessionLeases quiet = new SessionLeases(s, new LeasePolicy(s), clock, () -> 3, new SessionLeases.Hooks() {
            @Override
            public void expire(long sessionId) {
                expired.add(sessionId);
            }

            @Override
            public void idle(long sessionId) {
                idle.add(sessionId);
            }
        });
        long start = clock.millis();
        quiet.grant(1);
        while (idle.isEmpty() && clock.millis() - start < LEASE) {
            clock.advance(TICK);
            quiet.tick();
        }
        long at = clock.millis() - start;
        assertEquals(List.of(1L), idle);
        assertTrue(at >= idleMillis && at < idleMillis + TICK, () -> "idle reported after " + at + " ms");
        assertTrue(expired.isEmpty());
    }
}
