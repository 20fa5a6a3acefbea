package io.chubby.cell.internal;

import static io.chubby.cell.internal.TestClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.Create;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.GroupKeepAliveRequest;
import io.chubby.protocol.GroupMember;
import io.chubby.protocol.GroupMemberReply;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetContentsRequest;
import io.chubby.spi.Authorizer;
import io.chubby.spi.CellOperation;
import io.chubby.spi.Principal;
import io.chubby.testkit.CapturingConnection;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.MemoryStateStore;
import io.chubby.testkit.MutableClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issues 16 and 17: a trusted proxy ({@code cell.proxy.principals}, a TLS certificate CN) carries
 * each client's principal ({@code Request.on_behalf_of}, {@code GroupMember.on_behalf_of}); the
 * cell then handles the call as that client's: session ownership, handles and the authorizer's
 * decision. Anyone else naming a principal is refused.
 */
class ProxyPrincipalsTest {
    private static final int RW = 3;
    private static final Principal PROXY = new Principal("proxy-1", Principal.Mechanism.TLS_CERTIFICATE);
    private static final Principal ALICE = new Principal("alice", Principal.Mechanism.TLS_CERTIFICATE);
    private final MutableClock clock = new MutableClock();
    private final FakeConsensus consensus = new FakeConsensus();
    private final List<Principal> decided = new ArrayList<>();
    private CellServer server;
    private TestClient proxy;

    @BeforeEach
    void start() {
        server = new CellServer(consensus, new MemoryStateStore(), new CellSettings("c", 1024, 12_000, 60_000, 1_000,
                0).withProxyPrincipals(Set.of(PROXY.name())), clock);
        server.start();
        // Only alice may write; every decision records whom it was made for.
        server.addAuthorizer((request, ns) -> {
            synchronized (decided) {
                decided.add(request.principal());
            }
            boolean write = request.operation() == CellOperation.SET_CONTENTS
                    || request.operation() == CellOperation.OPEN && request.modes().contains(io.chubby.api.OpenMode.WRITE);
            return !write || request.principal().name().equals("alice") ? Authorizer.Decision.allow()
                    : Authorizer.Decision.deny(request.principal().name() + " may not write " + request.path());
        }, 0, 1);
        proxy = new TestClient(server, new CapturingConnection(PROXY, "proxy"));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private static Request.Builder as(String principal, Request.Builder req) {
        return req.setOnBehalfOf(principal);
    }

    private long sessionFor(TestClient c, String principal) {
        Response r = c.ok(as(principal, Request.newBuilder().setCreateSession(CreateSessionRequest.newBuilder()
                .setClientName("behind a proxy"))));
        c.epoch = r.getCreateSession().getEpoch();
        return r.getCreateSession().getSessionId();
    }

    private Principal lastDecided() {
        synchronized (decided) {
            return decided.get(decided.size() - 1);
        }
    }

    @Test
    void aTrustedProxyActsAsAliceAndTheSessionIsHers() {
        proxy.session = sessionFor(proxy, "alice");
        assertEquals("alice", lastDecided().name(), "CreateSession decided for alice");
        ByteString f = proxy.ok(as("alice", Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath("/ls/c/f")
                .setModeBits(RW).setCreate(Create.CREATE_MAY)))).getOpen().getHandle();
        proxy.ok(as("alice", Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(f)
                .setContents(ByteString.copyFromUtf8("hers")))));
        assertEquals(ALICE, lastDecided(), "the write was decided for alice, with the proxy's mechanism");
        assertEquals("hers", new String(server.namespace().contents("/f")));
        assertTrue(Long.parseLong(server.statusForTest().getMetricsOrThrow("calls_on_behalf")) >= 3);

        // Her own direct connection may use the session the proxy created for her ...
        TestClient direct = new TestClient(server, new CapturingConnection(ALICE, "alice"));
        direct.session = proxy.session;
        direct.epoch = proxy.epoch;
        assertEquals("hers", direct.ok(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder()
                .setHandle(f))).getGetContents().getContents().toStringUtf8());
        // ... and the proxy acting as itself may not.
        Response own = proxy.call(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(f)));
        assertError(ErrorCode.PERMISSION_DENIED, own);
        assertEquals("session " + proxy.session + " belongs to alice, not to proxy-1", own.getError().getMessage());

        // A group KeepAlive renews her session when the member names her, and not otherwise.
        Map<Long, GroupMemberReply> slots = group(proxy, Map.of(proxy.session, "alice"));
        assertFalse(slots.get(proxy.session).hasError(), () -> slots.toString());
        assertTrue(slots.get(proxy.session).getReply().getLeaseMs() > 0);
        Map<Long, GroupMemberReply> unnamed = group(proxy, Map.of(proxy.session, ""));
        assertEquals(ErrorCode.PERMISSION_DENIED.wire(), unnamed.get(proxy.session).getError().getCode());
    }

    @Test
    void anUntrustedConnectionNamingAPrincipalIsRefused() {
        TestClient alice = new TestClient(server, new CapturingConnection(ALICE, "alice"));
        alice.createSession();
        for (Principal who : List.of(new Principal("mallory", Principal.Mechanism.TLS_CERTIFICATE),
                new Principal("proxy-1", Principal.Mechanism.PASSWORD))) {
            TestClient c = new TestClient(server, new CapturingConnection(who, "c"));
            Response r = c.call(as("alice", Request.newBuilder().setCreateSession(CreateSessionRequest.newBuilder())));
            assertError(ErrorCode.PERMISSION_DENIED, r);
            assertEquals(who.name() + " may not act on behalf of alice: only the proxy principals of "
                    + "cell.proxy.principals, authenticated by TLS certificate, may", r.getError().getMessage());
            c.session = alice.session;
            c.epoch = alice.epoch;
            assertError(ErrorCode.PERMISSION_DENIED, c.call(as("alice", Request.newBuilder()
                    .setKeepAlive(KeepAliveRequest.getDefaultInstance()))));
            Map<Long, GroupMemberReply> slots = group(c, Map.of(alice.session, "alice"));
            assertEquals(ErrorCode.PERMISSION_DENIED.wire(), slots.get(alice.session).getError().getCode(),
                    () -> slots.toString());
        }
        assertEquals("6", server.statusForTest().getMetricsOrThrow("on_behalf_refused"), "3 refusals by each of 2");
    }

    @Test
    void alicesSessionCannotBeUsedOnBehalfOfBob() {
        proxy.session = sessionFor(proxy, "alice");
        ByteString f = proxy.ok(as("alice", Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath("/ls/c/f")
                .setModeBits(RW).setCreate(Create.CREATE_MAY)))).getOpen().getHandle();
        Response stolen = proxy.call(as("bob", Request.newBuilder().setGetContents(GetContentsRequest.newBuilder()
                .setHandle(f))));
        assertError(ErrorCode.PERMISSION_DENIED, stolen);
        assertEquals("session " + proxy.session + " belongs to alice, not to bob", stolen.getError().getMessage());
        Map<Long, GroupMemberReply> slots = group(proxy, Map.of(proxy.session, "bob"));
        assertEquals(ErrorCode.PERMISSION_DENIED.wire(), slots.get(proxy.session).getError().getCode());

        // bob's own session through the same proxy: his handle on the file reads, his write is denied.
        TestClient bob = new TestClient(server, proxy.conn);
        bob.callId = 50_000;
        bob.session = sessionFor(bob, "bob");
        ByteString hisHandle = bob.ok(as("bob", Request.newBuilder().setOpen(OpenRequest.newBuilder()
                .setPath("/ls/c/f").setModeBits(1)))).getOpen().getHandle();
        Response write = bob.call(as("bob", Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath("/ls/c/f")
                .setModeBits(RW))));
        assertError(ErrorCode.PERMISSION_DENIED, write);
        assertEquals("bob may not write /ls/c/f", write.getError().getMessage());
        assertError(ErrorCode.BAD_HANDLE, bob.call(as("bob", Request.newBuilder().setGetContents(
                GetContentsRequest.newBuilder().setHandle(f)))));
        bob.ok(as("bob", Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(hisHandle))));
    }

    @Test
    void anonymousCannotDelegateAndATrustedProxyCarriesAnonymousAsAnonymous() {
        TestClient anon = new TestClient(server);
        Response r = anon.call(as("alice", Request.newBuilder().setCreateSession(CreateSessionRequest.newBuilder())));
        assertError(ErrorCode.PERMISSION_DENIED, r);
        assertTrue(r.getError().getMessage().startsWith("anonymous may not act on behalf of alice"), r::toString);

        proxy.session = sessionFor(proxy, "anonymous");
        assertEquals(Principal.ANONYMOUS, lastDecided(), "a client that proved nothing stays anonymous");
        Response write = proxy.call(as("anonymous", Request.newBuilder().setOpen(OpenRequest.newBuilder()
                .setPath("/ls/c/g").setModeBits(RW).setCreate(Create.CREATE_MAY))));
        assertError(ErrorCode.PERMISSION_DENIED, write);
        for (String bad : List.of(" alice", "alice\nbob", "x".repeat(257))) {
            assertError(ErrorCode.INVALID_ARGUMENT, proxy.call(as(bad, Request.newBuilder()
                    .setCreateSession(CreateSessionRequest.newBuilder()))));
        }
    }

    /**
     * One group KeepAlive from another connection of {@code c}'s principal naming each session with
     * its on_behalf_of; its slots. (Members new to a connection are answered at once; over the
     * connection that created them the call would be held.)
     */
    private Map<Long, GroupMemberReply> group(TestClient creator, Map<Long, String> members) {
        TestClient c = new TestClient(server, new CapturingConnection(creator.conn.principal(), "proxy-group"));
        c.callId = creator.callId + 1_000;
        GroupKeepAliveRequest.Builder g = GroupKeepAliveRequest.newBuilder().setGroupId(c.callId + 7);
        members.forEach((id, who) -> g.addMembers(GroupMember.newBuilder().setSessionId(id).setOnBehalfOf(who)));
        Response r = c.call(Request.newBuilder().setSessionId(0).setGroupKeepAlive(g));
        assertFalse(r.hasError(), r::toString);
        Map<Long, GroupMemberReply> out = new HashMap<>();
        r.getGroupKeepAlive().getMembersList().forEach(m -> out.put(m.getSessionId(), m));
        return out;
    }
}
