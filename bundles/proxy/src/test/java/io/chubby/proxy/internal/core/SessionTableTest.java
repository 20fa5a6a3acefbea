package io.chubby.proxy.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ErrorCode;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.GroupKeepAliveReply;
import io.chubby.protocol.GroupMember;
import io.chubby.protocol.GroupMemberReply;
import io.chubby.protocol.Invalidation;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.KeepAliveRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The proxy's session table: what it promises, when it answers, what it forwards upstream. Times are given. */
class SessionTableTest {
    private static final long LEASE = 12_000;
    private static final long MARGIN = 2_000;
    private final LeaseMath math = LeaseMath.withMargin(MARGIN);
    private final SessionTable<String> table = new SessionTable<>(math);

    private static GroupKeepAliveReply slot(long session, long leaseMs, List<EventMessage> events,
                                            List<Invalidation> invs) {
        return GroupKeepAliveReply.newBuilder().setEpoch(3).addMembers(GroupMemberReply.newBuilder()
                .setSessionId(session).setReply(KeepAliveReply.newBuilder().setLeaseMs(leaseMs).setEpoch(3)
                        .addAllEvents(events).addAllInvalidations(invs))).build();
    }

    private static Invalidation inv(long id) {
        return Invalidation.newBuilder().setId(id).setPath("/ls/c/f").build();
    }

    private GroupMember member(long session, long now) {
        return table.members(now).stream().filter(m -> m.getSessionId() == session).findFirst().orElseThrow();
    }

    @Test
    void theProxyNeverPromisesMoreThanTheUpstreamLeaseAndAnswersNothingWhileUpstreamIsNotExtended() {
        long promise = table.created(1, "c", LEASE, 0, 10, 10);
        long upstreamEnd = math.end(0, 10, LEASE);
        assertEquals(upstreamEnd - 10, promise);
        assertTrue(promise < LEASE);
        assertEquals(List.of(), table.keepAlive("c", 1, 5, KeepAliveRequest.getDefaultInstance(), 100), "held");
        // The promise nears its end and no group answer extended the upstream lease: upstream in jeopardy.
        for (long t = 100; t < upstreamEnd + 1_000; t += 100) {
            assertEquals(List.of(), table.tick(t), "nothing answered at " + t);
        }
        // The group answer arrives: the held KeepAlive gets what the proxy may count on, no more.
        long sentAt = upstreamEnd - 1_500;
        long arrived = upstreamEnd - 1_200;
        List<SessionTable.Answer<String>> a = table.upstream(slot(1, LEASE, List.of(), List.of()), sentAt, arrived,
                arrived);
        assertEquals(1, a.size());
        assertEquals(5, a.get(0).callId());
        assertEquals(math.end(sentAt, arrived, LEASE) - arrived, a.get(0).reply().getLeaseMs());
        // The master's lease ends at its reply time + LEASE; its reply left at least 250 ms before it arrived
        // (the largest delay the proxy allows for), and the promise still ends before that.
        assertTrue(arrived + a.get(0).reply().getLeaseMs() < arrived - 250 + LEASE);
        assertEquals(3, a.get(0).reply().getEpoch());
    }

    @Test
    void aHeldKeepAliveIsAnsweredAtTheMarginOnceTheUpstreamLeaseReachesFurther() {
        table.created(1, "c", LEASE, 0, 0, 0);
        table.upstream(slot(1, LEASE, List.of(), List.of()), 5_000, 5_000, 5_000); // extended to ~16,760
        table.keepAlive("c", 1, 7, KeepAliveRequest.getDefaultInstance(), 5_100);
        long promised = math.end(0, 0, LEASE);
        assertEquals(List.of(), table.tick(promised - MARGIN - 1), "before the margin");
        List<SessionTable.Answer<String>> due = table.tick(promised - MARGIN);
        assertEquals(1, due.size());
        assertEquals(math.end(5_000, 5_000, LEASE) - (promised - MARGIN), due.get(0).reply().getLeaseMs());
    }

    @Test
    void invalidationsReachTheClientAtOnceAndGoUpstreamAcknowledgedOnlyAfterTheClientAcknowledged() {
        table.created(1, "c", LEASE, 0, 0, 0);
        table.members(0);
        table.keepAlive("c", 1, 8, KeepAliveRequest.getDefaultInstance(), 100);
        List<SessionTable.Answer<String>> a = table.upstream(slot(1, 9_000, List.of(), List.of(inv(41))), 50, 200, 200);
        assertEquals(1, a.size(), "returned early");
        assertEquals(41, a.get(0).reply().getInvalidations(0).getId());
        assertEquals(List.of(), member(1, 250).getAcks().getAckedInvalidationsList(), "not before the client");
        // The master sends it again (unacknowledged): not queued twice, not answered again to this client.
        table.keepAlive("c", 1, 9, KeepAliveRequest.getDefaultInstance(), 300);
        assertEquals(List.of(), table.upstream(slot(1, 9_000, List.of(), List.of(inv(41))), 250, 400, 400));
        // The client acknowledges: forwarded in the next group call, once.
        table.keepAlive("c", 1, 10, KeepAliveRequest.newBuilder().addAckedInvalidations(41).build(), 500);
        assertTrue(table.changed());
        assertEquals(List.of(41L), member(1, 600).getAcks().getAckedInvalidationsList());
        assertEquals(List.of(), member(1, 700).getAcks().getAckedInvalidationsList());
        // An answer to a call sent before that one still carries it: nothing to do.
        table.upstream(slot(1, 9_000, List.of(), List.of(inv(41))), 550, 650, 650);
        assertFalse(table.changed());
        // An answer to a call sent after it still carries it: that call was lost; the acknowledgement goes again.
        table.upstream(slot(1, 9_000, List.of(), List.of(inv(41))), 700, 800, 800);
        assertTrue(table.changed());
        assertEquals(List.of(41L), member(1, 900).getAcks().getAckedInvalidationsList());
    }

    @Test
    void eventsAreDeliveredOnceInOrderAndTheFailoverFlagGoesUpWithTheSequenceNumber() {
        table.created(1, "c", LEASE, 0, 0, 0);
        table.keepAlive("c", 1, 1, KeepAliveRequest.getDefaultInstance(), 10);
        EventMessage failover = EventMessage.newBuilder().setSeq(100).setKind(EventKind.MASTER_FAILED_OVER).build();
        EventMessage mod = EventMessage.newBuilder().setSeq(101).setKind(EventKind.CONTENTS_MODIFIED).setPath("/f").build();
        List<SessionTable.Answer<String>> a = table.upstream(slot(1, LEASE, List.of(failover, mod), List.of()), 0, 20, 20);
        assertEquals(List.of(failover, mod), a.get(0).reply().getEventsList());
        table.keepAlive("c", 1, 2, KeepAliveRequest.newBuilder().setAckedEventSeq(101).setAckedFailover(true).build(), 30);
        KeepAliveRequest up = member(1, 40).getAcks();
        assertEquals(101, up.getAckedEventSeq());
        assertTrue(up.getAckedFailover());
        assertFalse(member(1, 50).getAcks().getAckedFailover(), "the flag goes once");
        assertEquals(101, member(1, 60).getAcks().getAckedEventSeq(), "the sequence number every time");
        // resent by the master in answer to a later call: the flag was lost with it; sent again, not re-delivered
        assertEquals(List.of(), table.upstream(slot(1, LEASE, List.of(failover, mod), List.of()), 70, 80, 80));
        assertTrue(member(1, 90).getAcks().getAckedFailover());
    }

    @Test
    void aMemberTheMasterRefusesEndsItsClientsHeldKeepAliveWithTheError() {
        table.created(1, "c", LEASE, 0, 0, 0);
        table.keepAlive("c", 1, 4, KeepAliveRequest.getDefaultInstance(), 10);
        GroupKeepAliveReply r = GroupKeepAliveReply.newBuilder().addMembers(GroupMemberReply.newBuilder().setSessionId(1)
                .setError(io.chubby.protocol.Error.newBuilder().setCode(ErrorCode.SESSION_EXPIRED.wire())
                        .setMessage("session 1 has expired"))).build();
        List<SessionTable.Answer<String>> a = table.upstream(r, 0, 20, 20);
        assertTrue(a.get(0).isError());
        assertEquals(ErrorCode.SESSION_EXPIRED.wire(), a.get(0).errorCode());
        assertEquals(0, table.size());
    }

    @Test
    void aClientFromElsewhereJoinsAndAClosedConnectionLeaves() {
        assertEquals(List.of(), table.keepAlive("moved", 9, 1, KeepAliveRequest.newBuilder().setAckedEventSeq(5).build(), 0));
        assertTrue(table.changed());
        assertEquals(5, member(9, 0).getAcks().getAckedEventSeq(), "joined the group with its acknowledgement");
        // nothing known of its lease: answered as soon as the master's answer says how long it is
        List<SessionTable.Answer<String>> a = table.upstream(slot(9, 7_000, List.of(), List.of()), 10, 20, 20);
        assertEquals(1, a.size());
        assertEquals(math.end(10, 20, 7_000) - 20, a.get(0).reply().getLeaseMs());
        table.created(10, "other", LEASE, 0, 0, 0);
        assertEquals(2, table.clients());
        table.members(30);
        assertEquals(1, table.disconnected("moved"));
        assertTrue(table.changed());
        assertEquals(List.of(10L), table.members(40).stream().map(GroupMember::getSessionId).toList());
    }

    @Test
    void aClientThatStopsAskingIsNotRenewedPastWhatItWasPromised() {
        long promise = table.created(1, "stopped", LEASE, 0, 0, 0);
        table.created(2, "alive", LEASE, 0, 0, 0);
        table.keepAlive("alive", 2, 1, KeepAliveRequest.getDefaultInstance(), 10);
        assertEquals(2, table.members(promise - 1).size(), "within its promise it is still renewed");
        assertEquals(List.of(2L), table.members(promise).stream().map(GroupMember::getSessionId).toList(),
                "its promise passed with no KeepAlive from it: left out, the master lets the lease end");
    }

    @Test
    void theOwnSessionAcknowledgesEventsByItselfAndAFailoverOnlyOnceTheCacheIsFlushed() {
        table.own(100, LEASE, 0, 0);
        EventMessage failover = EventMessage.newBuilder().setSeq(50).setKind(EventKind.MASTER_FAILED_OVER).build();
        table.upstream(GroupKeepAliveReply.newBuilder().addMembers(GroupMemberReply.newBuilder().setSessionId(100)
                .setReply(KeepAliveReply.newBuilder().setLeaseMs(LEASE).addEvents(failover)
                        .addInvalidations(inv(7)))).build(), 0, 10, 10);
        SessionTable.OwnNews news = table.takeOwnNews();
        assertTrue(news.flush());
        assertEquals(List.of(inv(7)), news.invalidations());
        KeepAliveRequest before = member(100, 20).getAcks();
        assertEquals(50, before.getAckedEventSeq());
        assertFalse(before.getAckedFailover(), "not before the cache was flushed");
        assertEquals(List.of(), before.getAckedInvalidationsList(), "not before the cache dropped the path");
        table.ownFlushed();
        table.ackOwn(7);
        KeepAliveRequest after = member(100, 30).getAcks();
        assertTrue(after.getAckedFailover());
        assertEquals(List.of(7L), after.getAckedInvalidationsList());
        // sent again by the master in answer to an older call: not handed to the cache twice
        table.upstream(GroupKeepAliveReply.newBuilder().addMembers(GroupMemberReply.newBuilder().setSessionId(100)
                .setReply(KeepAliveReply.newBuilder().setLeaseMs(LEASE).addInvalidations(inv(7)))).build(), 25, 35, 35);
        assertEquals(List.of(), table.takeOwnNews().invalidations());
        assertEquals(0, table.clientSessions());
        assertEquals(1, table.size());
    }

    @Test
    void howUrgentTheNextGroupCallIs() {
        table.created(1, "c", LEASE, 0, 0, 0);
        assertEquals(SessionTable.Urgency.CREATED, table.urgency(), "a new member can wait: its CreateSession gave it a lease");
        table.members(10);
        assertFalse(table.changed());
        table.keepAlive("c", 1, 5, KeepAliveRequest.newBuilder().addAckedInvalidations(9).build(), 20);
        assertEquals(SessionTable.Urgency.ACKS, table.urgency(), "a write may be waiting for this acknowledgement");
        table.members(30);
        assertEquals(SessionTable.Urgency.NONE, table.urgency());
        // a session from elsewhere: its lease is what its old holder left it
        table.keepAlive("d", 2, 6, KeepAliveRequest.getDefaultInstance(), 40);
        assertEquals(SessionTable.Urgency.JOINED, table.urgency());
        table.created(3, "c", LEASE, 50, 50, 50);
        assertEquals(SessionTable.Urgency.JOINED, table.urgency(), "the most urgent reason counts");
        table.members(60);
        // a session its client closed: the master ended it and lets go of it; no call for that
        table.closed(3);
        assertFalse(table.changed());
        assertEquals(List.of(1L, 2L), table.members(70).stream().map(m -> m.getSessionId()).sorted().toList());
    }
}
