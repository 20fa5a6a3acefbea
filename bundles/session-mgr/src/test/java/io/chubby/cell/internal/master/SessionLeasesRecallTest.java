package io.chubby.cell.internal.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.GroupKeepAliveReply;
import io.chubby.protocol.GroupMember;
import io.chubby.protocol.GroupMemberReply;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.Response;
import io.chubby.testkit.CapturingConnection;
import io.chubby.testkit.MutableClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A held KeepAlive of a session that owes an acknowledgement is answered early without extending
 * its lease when something new is queued (for a group: for any member). Its holder calls again at
 * once, but that call may arrive after the lease end: a proxy whose group call of thousands of
 * members was answered needs a while on a loaded machine to read the answer and send the next
 * call. The master waits a margin after such an answer (a third of a lease for a group, the
 * KeepAlive margin for a session's own call) before it ends the lease for want of a KeepAlive.
 * The claims go at the lease end all the same (no write waits for a holder longer than its
 * lease: the whole-cell simulator checks it), and the late call gets CACHE_DROPPED with an
 * extended lease, as if it had been held at the lease end. Found by 200,000 sessions through 4 proxies with a master failover during
 * creation: every member owed the failover acknowledgement (the load generator never gives it),
 * and the members whose group was between two calls at the lease end were expired (4,265).
 */
class SessionLeasesRecallTest {
    private static final long LEASE = 12_000;
    private static final long MAX_LEASE = 60_000;
    private static final long MARGIN = 1_000;
    private static final long TICK = 100;
    private static final long GROUP = 41;

    private final MutableClock clock = new MutableClock();
    private final List<Long> expired = new ArrayList<>();
    private final Map<Long, Long> dropped = new TreeMap<>();
    private final CellSettings settings = new CellSettings("local", 256 * 1024, LEASE, MAX_LEASE, MARGIN, TICK,
            600_000, 1_000);
    private final SessionLeases leases = new SessionLeases(settings, new LeasePolicy(settings), clock, () -> 5,
            new SessionLeases.Hooks() {
                @Override
                public void expire(long sessionId) {
                    expired.add(sessionId);
                }

                @Override
                public void cacheDropped(long sessionId, long seq) {
                    dropped.put(sessionId, seq);
                }
            });
    private final CapturingConnection proxy = new CapturingConnection();

    private void tickFor(long millis) {
        for (long t = 0; t < millis; t += TICK) {
            clock.advance(TICK);
            leases.tick();
        }
    }

    /** Sessions 1 and 2 recorded when this master took over: both owe the failover acknowledgement. */
    private long takeOverTwo() {
        leases.grant(1);
        leases.grant(2);
        leases.takeOver(List.of(1L, 2L));
        return clock.millis() + MAX_LEASE;
    }

    /** A group call naming sessions 1 and 2, acknowledging nothing (as the raw load generator's proxy). */
    private void groupCall(long callId) {
        leases.groupKeepAlive(proxy, callId, GROUP, List.of(member(1), member(2)), List.of());
    }

    private static GroupMember member(long id) {
        return GroupMember.newBuilder().setSessionId(id).setAcks(KeepAliveRequest.getDefaultInstance()).build();
    }

    /** The group answered early, before the lease end, without extending either lease. */
    private long groupAnsweredEarly(long leaseEnd) {
        groupCall(1);
        assertNotNull(proxy.forCall(1), "new members with a failover event: answered at once");
        groupCall(2);
        tickFor(leaseEnd - clock.millis() - 200);
        assertNull(proxy.forCall(2), "owing: held until the lease end");
        leases.queueEvent(1, EventMessage.newBuilder().setKind(EventKind.CONTENTS_MODIFIED));
        Response answer = proxy.forCall(2);
        assertNotNull(answer, "news for a member answers the group");
        for (GroupMemberReply slot : answer.getGroupKeepAlive().getMembersList()) {
            assertTrue(slot.getReply().getLeaseMs() <= 200, "not extended: " + slot);
        }
        return clock.millis();
    }

    @Test
    void aGroupCallThatArrivesAfterTheLeaseEndFindsItsMembersAndDropsTheirClaims() {
        long end = takeOverTwo();
        groupAnsweredEarly(end);
        tickFor(1_500); // the lease end passes while the proxy reads the answer
        assertTrue(expired.isEmpty(), () -> "expired between two group calls: " + expired);
        assertEquals(List.of(1L, 2L), List.copyOf(dropped.keySet()), "claims dropped at the lease end");
        groupCall(3);
        GroupKeepAliveReply r = proxy.forCall(3).getGroupKeepAlive();
        assertEquals(2, r.getMembersCount());
        for (GroupMemberReply slot : r.getMembersList()) {
            KeepAliveReply ka = slot.getReply();
            assertTrue(ka.getEventsList().stream().anyMatch(e -> e.getKind() == EventKind.CACHE_DROPPED),
                    () -> "claims dropped: " + slot);
            assertTrue(ka.getLeaseMs() >= LEASE - TICK, () -> "extended: " + slot);
        }
        assertEquals(List.of(1L, 2L), List.copyOf(dropped.keySet()));
        tickFor(5_000);
        assertTrue(expired.isEmpty(), () -> "expired: " + expired);
    }

    @Test
    void withoutAnotherCallTheMembersExpireAThirdOfALeaseAfterTheEarlyAnswer() {
        long end = takeOverTwo();
        long answeredAt = groupAnsweredEarly(end);
        tickFor(answeredAt + LEASE / 3 - clock.millis() - TICK);
        assertTrue(expired.isEmpty(), "the master still waits for the proxy's next call");
        tickFor(2 * TICK);
        assertEquals(List.of(1L, 2L), expired, "no call came: the leases ended");
    }

    @Test
    void aSessionsOwnKeepAliveThatArrivesJustAfterTheLeaseEndKeepsTheSession() {
        long end = takeOverTwo();
        CapturingConnection client = new CapturingConnection();
        leases.keepAlive(client, 1, 1, KeepAliveRequest.getDefaultInstance());
        assertNotNull(client.forCall(1), "the failover event: answered at once");
        leases.keepAlive(client, 2, 1, KeepAliveRequest.getDefaultInstance());
        tickFor(end - clock.millis() - 200);
        assertNull(client.forCall(2), "owing: held until the lease end");
        leases.queueEvent(1, EventMessage.newBuilder().setKind(EventKind.CONTENTS_MODIFIED));
        assertNotNull(client.forCall(2));
        tickFor(500); // past the lease end, within the KeepAlive margin of the answer
        assertTrue(!expired.contains(1L), () -> "expired between two KeepAlives: " + expired);
        leases.keepAlive(client, 3, 1, KeepAliveRequest.getDefaultInstance());
        KeepAliveReply r = client.forCall(3).getKeepAlive();
        assertTrue(r.getEventsList().stream().anyMatch(e -> e.getKind() == EventKind.CACHE_DROPPED));
        assertTrue(r.getLeaseMs() >= LEASE - TICK);
        assertEquals(List.of(2L), expired, "session 2 had no KeepAlive at all: it ended at its lease end");
    }
}
