package io.chubby.cell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.Create;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.GroupKeepAliveReply;
import io.chubby.protocol.GroupKeepAliveRequest;
import io.chubby.protocol.GroupMember;
import io.chubby.protocol.GroupMemberReply;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetContentsRequest;
import io.chubby.spi.Principal;
import io.chubby.testkit.CapturingConnection;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.MemoryStateStore;
import io.chubby.testkit.MutableClock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: a group KeepAlive renews many sessions with one held call (a proxy's). Each member is
 * held as its own KeepAlive would be; the group is answered when any member is due or has news;
 * the master counts one KeepAlive per group. Times are the master's {@link MutableClock}.
 */
class GroupKeepAliveTest {
    private static final long LEASE_MS = 12_000;
    private static final long MARGIN_MS = 1_000;
    /** A group is answered a third of a lease before its members' lease end. */
    private static final long GROUP_MARGIN_MS = LEASE_MS / 3;
    private static final long GROUP = 77;
    private final MutableClock clock = new MutableClock();
    private final FakeConsensus consensus = new FakeConsensus();
    private final CellSettings settings = new CellSettings("c", 1024, LEASE_MS, 60_000, MARGIN_MS, 0, 600_000, 1_000);
    private CellServer server;
    private final CapturingConnection proxyConn = new CapturingConnection();
    private TestClient proxy;
    private long callId = 1_000;
    private long sessionCalls = 100_000; // call ids of the creations, apart from the group calls'

    @BeforeEach
    void start() {
        server = new CellServer(consensus, new MemoryStateStore(), settings, clock);
        server.start();
        proxy = new TestClient(server, proxyConn);
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    /** Sessions created elsewhere (the cell directly, another proxy): new to the proxy's connection. */
    private final CapturingConnection elsewhere = new CapturingConnection();

    private long newSession() {
        TestClient c = new TestClient(server, elsewhere);
        c.callId = sessionCalls += 100;
        return c.createSession();
    }

    /** A session created through the proxy's own connection (its CreateSession answer told the proxy the lease). */
    private long sessionCreatedHere() {
        TestClient c = new TestClient(server, proxyConn);
        c.callId = sessionCalls += 100;
        return c.createSession();
    }

    /** Sends a group KeepAlive naming {@code members} with their acknowledgements; returns its call id. */
    private long group(Map<Long, KeepAliveRequest> members) {
        GroupKeepAliveRequest.Builder g = GroupKeepAliveRequest.newBuilder().setGroupId(GROUP);
        members.forEach((id, acks) -> g.addMembers(GroupMember.newBuilder().setSessionId(id).setAcks(acks)));
        long id = ++callId;
        server.request(proxyConn, Request.newBuilder().setCallId(id).setEpoch(consensus.epoch())
                .setGroupKeepAlive(g).build().toByteArray());
        return id;
    }

    private long group(List<Long> members) {
        Map<Long, KeepAliveRequest> m = new java.util.LinkedHashMap<>();
        members.forEach(id -> m.put(id, KeepAliveRequest.getDefaultInstance()));
        return group(m);
    }

    private Map<Long, GroupMemberReply> slots(Response r) {
        assertNotNull(r, "no answer");
        assertFalse(r.hasError(), r::toString);
        GroupKeepAliveReply g = r.getGroupKeepAlive();
        Map<Long, GroupMemberReply> out = new HashMap<>();
        g.getMembersList().forEach(m -> out.put(m.getSessionId(), m));
        return out;
    }

    /** The member of a group's answer other than {@code not}. */
    private long sessionOf(long call, long not) {
        return slots(proxyConn.forCall(call)).keySet().stream().filter(id -> id != not).findFirst().orElseThrow();
    }

    private void advance(long ms) {
        for (long left = ms; left > 0; left -= 100) {
            clock.advance(Math.min(100, left));
            server.tick();
        }
    }

    @Test
    void oneHeldCallRenewsEveryMemberAndIsAnsweredOnlyWhenAMemberIsDue() {
        List<Long> ids = List.of(newSession(), newSession(), newSession());
        long first = group(ids);
        assertEquals(3, slots(proxyConn.forCall(first)).size(), "members new to the connection: answered at once");
        long call = group(ids);
        assertNull(proxyConn.forCall(call), "held");
        advance(LEASE_MS - GROUP_MARGIN_MS - 200);
        assertNull(proxyConn.forCall(call), "still held before the group margin");
        advance(300);
        Map<Long, GroupMemberReply> slots = slots(proxyConn.forCall(call));
        assertEquals(3, slots.size());
        for (long id : ids) {
            assertEquals(LEASE_MS, slots.get(id).getReply().getLeaseMs(), "extended: " + slots.get(id));
        }
        // The next one is held again, a whole lease; the members live on with no KeepAlive of their own.
        long next = group(ids);
        advance(LEASE_MS - GROUP_MARGIN_MS - 200);
        assertNull(proxyConn.forCall(next));
        advance(300);
        assertEquals(3, slots(proxyConn.forCall(next)).size());
        assertEquals("3", server.statusForTest().getMetricsMap().get("sessions"));
    }

    @Test
    void sessionsCreatedOverTheGroupsConnectionAreHeldAtOnce() {
        // The proxy knows their lease from the CreateSession answer: answering at once would only make
        // it call again at once, naming every member, once per wave of creations.
        List<Long> ids = List.of(sessionCreatedHere(), sessionCreatedHere());
        long call = group(ids);
        assertNull(proxyConn.forCall(call), "held");
        advance(LEASE_MS - GROUP_MARGIN_MS + 200);
        Map<Long, GroupMemberReply> slots = slots(proxyConn.forCall(call));
        for (long id : ids) {
            assertEquals(LEASE_MS, slots.get(id).getReply().getLeaseMs(), "extended when due: " + slots.get(id));
        }
        // A session created elsewhere joining is new to the connection: answered at once.
        long next = group(List.of(ids.get(0), ids.get(1), newSession()));
        assertEquals(3, slots(proxyConn.forCall(next)).size());
    }

    @Test
    void anInvalidationReturnsTheGroupEarlyAndTheWriteWaitsForTheMembersAcknowledgement() {
        long reader = newSession();
        long other = newSession();
        TestClient w = new TestClient(server);
        w.createSession();
        ByteString wh = w.handle("/ls/c/f", 3, Create.CREATE_MUST, false, false, "v1");
        TestClient r = new TestClient(server, proxyConn);
        r.session = reader;
        r.epoch = consensus.epoch();
        r.callId = 5_000;
        ByteString rh = r.handle("/ls/c/f", 1, Create.CREATE_NO, false, false, null);
        assertTrue(r.ok(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(rh)))
                .getGetContents().getCacheable());

        slots(proxyConn.forCall(group(List.of(reader, other)))); // new to the connection: answered at once
        long call = group(List.of(reader, other));
        assertNull(proxyConn.forCall(call));
        long write = ++w.callId;
        server.request(w.conn, Request.newBuilder().setCallId(write).setSessionId(w.session).setEpoch(w.epoch)
                .setSetContents(SetContentsRequest.newBuilder().setHandle(wh).setContents(ByteString.copyFromUtf8("v2")))
                .build().toByteArray());
        assertNull(w.conn.forCall(write), "the write waits for the caching member");
        Map<Long, GroupMemberReply> slots = slots(proxyConn.forCall(call));
        assertEquals(1, slots.get(reader).getReply().getInvalidationsCount(), "returned early with it");
        assertEquals(0, slots.get(other).getReply().getInvalidationsCount());
        long inv = slots.get(reader).getReply().getInvalidations(0).getId();

        Map<Long, KeepAliveRequest> acks = new java.util.LinkedHashMap<>();
        acks.put(reader, KeepAliveRequest.newBuilder().addAckedInvalidations(inv).build());
        acks.put(other, KeepAliveRequest.getDefaultInstance());
        long next = group(acks);
        Response done = w.conn.forCall(write);
        assertNotNull(done, "acknowledged through the group: the write went ahead");
        assertFalse(done.hasError(), done::toString);
        assertNull(proxyConn.forCall(next), "nothing new: the next group KeepAlive is held");
    }

    @Test
    void unknownAndForeignMembersGetErrorsInTheirSlotsAndTheOthersAreServed() {
        long mine = newSession();
        TestClient alice = new TestClient(server, new CapturingConnection(new Principal("alice", Principal.Mechanism.PASSWORD), ""));
        long hers = alice.createSession();
        long call = group(List.of(mine, hers, 999_999L));
        Map<Long, GroupMemberReply> slots = slots(proxyConn.forCall(call));
        assertEquals(ErrorCode.PERMISSION_DENIED.wire(), slots.get(hers).getError().getCode());
        assertEquals(ErrorCode.SESSION_EXPIRED.wire(), slots.get(999_999L).getError().getCode());
        assertTrue(slots.get(mine).hasReply());
        assertTrue(slots.get(mine).getReply().getLeaseMs() > 0);
    }

    @Test
    void aMembersOwnKeepAliveSupersedesTheGroupAndAMemberLeftOutExpires() {
        long stays = newSession();
        long leaves = newSession();
        slots(proxyConn.forCall(group(List.of(stays, leaves))));
        long call = group(List.of(stays, leaves));
        assertNull(proxyConn.forCall(call));
        // A newer group without `leaves` supersedes the held one: answered at once, nothing extended.
        long next = group(List.of(stays));
        Map<Long, GroupMemberReply> old = slots(proxyConn.forCall(call));
        assertEquals(2, old.size());
        assertTrue(old.get(stays).getReply().getLeaseMs() <= LEASE_MS);
        assertNull(proxyConn.forCall(next));
        advance(LEASE_MS + 200);
        assertNotNull(proxyConn.forCall(next), "answered before the lease end of the member it holds");
        advance(500);
        assertEquals("1", server.statusForTest().getMetricsMap().get("sessions"), "the member left out expired");

        // The remaining member moves to a direct KeepAlive (its client left the proxy): the group lets it
        // go; left holding no one, it is answered (empty), so the proxy is not left waiting.
        long again = group(List.of(stays, newSession()));
        assertNotNull(proxyConn.forCall(again), "a member new to the connection: answered at once");
        long held = group(List.of(stays, sessionOf(again, stays)));
        TestClient direct = new TestClient(server);
        direct.session = stays;
        direct.epoch = consensus.epoch();
        long ka = ++direct.callId;
        server.request(direct.conn, Request.newBuilder().setCallId(ka).setSessionId(stays).setEpoch(direct.epoch)
                .setKeepAlive(KeepAliveRequest.getDefaultInstance()).build().toByteArray());
        assertNull(proxyConn.forCall(held), "not answered early: it still holds another member");
        assertNull(direct.conn.forCall(ka), "the member's own KeepAlive is held as usual");
        advance(LEASE_MS);
        Map<Long, GroupMemberReply> slots = slots(proxyConn.forCall(held));
        assertFalse(slots.containsKey(stays), "left out of the group's answer: " + slots.keySet());
        assertEquals(1, slots.size());
        assertNotNull(direct.conn.forCall(ka), "renewed on its own");
    }

    /** Closes {@code session} as its client would, through the proxy's connection; returns the answer. */
    private Response close(long session) {
        long id = ++callId;
        server.request(proxyConn, Request.newBuilder().setCallId(id).setSessionId(session).setEpoch(consensus.epoch())
                .setCloseSession(io.chubby.protocol.CloseSessionRequest.getDefaultInstance()).build().toByteArray());
        return proxyConn.forCall(id);
    }

    @Test
    void aMemberItsClientClosesIsLetGoWithoutAnsweringTheGroup() {
        long closes = newSession();
        long stays = newSession();
        slots(proxyConn.forCall(group(List.of(closes, stays))));
        long held = group(List.of(closes, stays));
        Response closed = close(closes);
        assertNotNull(closed, "the close is answered");
        assertFalse(closed.hasError(), closed::toString);
        assertNull(proxyConn.forCall(held), "not answered early: the proxy would only call again at once");
        advance(LEASE_MS - GROUP_MARGIN_MS + 200);
        Map<Long, GroupMemberReply> slots = slots(proxyConn.forCall(held));
        assertEquals(ErrorCode.SESSION_EXPIRED.wire(), slots.get(closes).getError().getCode(), "its slot says it ended");
        assertEquals(LEASE_MS, slots.get(stays).getReply().getLeaseMs(), "the other member is renewed as usual");

        // The last member held closing: the group holds no one and is answered, so the proxy is not left waiting.
        long last = group(List.of(stays));
        assertNull(proxyConn.forCall(last));
        close(stays);
        assertEquals(ErrorCode.SESSION_EXPIRED.wire(), slots(proxyConn.forCall(last)).get(stays).getError().getCode());
        assertEquals("0", server.statusForTest().getMetricsMap().get("sessions"));
    }

    @Test
    void aGroupIdOfZeroIsRefused() {
        long s = newSession();
        long id = ++callId;
        server.request(proxyConn, Request.newBuilder().setCallId(id).setGroupKeepAlive(GroupKeepAliveRequest.newBuilder()
                .addMembers(GroupMember.newBuilder().setSessionId(s))).build().toByteArray());
        TestClient.assertError(ErrorCode.INVALID_ARGUMENT, proxyConn.forCall(id));
    }
}
