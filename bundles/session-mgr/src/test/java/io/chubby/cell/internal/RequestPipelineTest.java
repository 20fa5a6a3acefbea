package io.chubby.cell.internal;

import static io.chubby.cell.internal.TestClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.OpenMode;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.AcquireRequest;
import io.chubby.protocol.CheckSequencerRequest;
import io.chubby.protocol.Create;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.GetSequencerRequest;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.MasterLocationRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.SetContentsRequest;
import io.chubby.spi.Authorizer;
import io.chubby.spi.CellOperation;
import io.chubby.spi.CellRequest;
import io.chubby.spi.Principal;
import io.chubby.spi.RequestFilter;
import io.chubby.testkit.CapturingConnection;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.MemoryStateStore;
import io.chubby.testkit.MutableClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The request pipeline: filters see every decoded call (operation, session, principal, path, modes)
 * in ranking order before it is served and can refuse it with a typed error before anything is
 * proposed; the authorizer decides the calls that need it; with enforcement on and no authorizer,
 * those calls are refused while sessions stay alive.
 */
class RequestPipelineTest {
    private static final int RW = 3;
    private final MutableClock clock = new MutableClock();
    private final FakeConsensus consensus = new FakeConsensus();
    private CellServer server;
    private TestClient client;

    private void start(boolean enforce) {
        server = new CellServer(consensus, new MemoryStateStore(),
                new CellSettings("c", 1024, 12_000, 60_000, 1_000, 0).withAclEnforced(enforce), clock);
        server.start();
        client = new TestClient(server);
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    /** Records every call it sees. */
    private static final class Recorder implements RequestFilter {
        final List<CellRequest> seen = new ArrayList<>();
        final String name;
        final List<String> order;

        Recorder(String name, List<String> order) {
            this.name = name;
            this.order = order;
        }

        @Override
        public synchronized void filter(CellRequest request) {
            seen.add(request);
            order.add(name);
        }

        synchronized CellRequest last() {
            return seen.get(seen.size() - 1);
        }
    }

    @Test
    void filtersSeeEveryCallDecodedWithPathSessionAndPrincipalInRankingOrder() {
        start(false);
        List<String> order = new ArrayList<>();
        Recorder low = new Recorder("low", order);
        Recorder high = new Recorder("high", order);
        server.addFilter(low, -5);
        server.addFilter(high, 10);

        client.createSession();
        assertEquals(CellOperation.CREATE_SESSION, high.last().operation());
        assertEquals(List.of("high", "low"), order, "highest ranking first");

        ByteString h = client.handle("/ls/local/dir", RW, Create.CREATE_MUST, true, false, null);
        CellRequest open = high.last();
        assertEquals(CellOperation.OPEN, open.operation());
        assertEquals("/ls/c/dir", open.path().toString(), "'local' resolved to the cell's name");
        assertEquals(Set.of(OpenMode.READ, OpenMode.WRITE), open.modes());
        assertEquals(CreateMode.MUST, open.create());
        assertTrue(open.creates());
        assertEquals(client.session, open.sessionId());
        assertTrue(open.principal().anonymous(), "anonymous until access control exists");

        ByteString f = client.handle("/ls/c/dir/f", RW, Create.CREATE_MAY, false, false, "x");
        client.ok(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(f)));
        CellRequest read = high.last();
        assertEquals(CellOperation.GET_CONTENTS, read.operation());
        assertEquals("/ls/c/dir/f", read.path().toString(), "a handle call names the handle's node");
        assertEquals(Set.of(OpenMode.READ, OpenMode.WRITE), read.modes(), "the handle's modes");

        client.ok(Request.newBuilder().setMasterLocation(MasterLocationRequest.getDefaultInstance()));
        assertEquals(CellOperation.MASTER_LOCATION, high.last().operation());
        assertNull(high.last().path());

        client.ok(Request.newBuilder().setAcquire(AcquireRequest.newBuilder().setHandle(f).setTryOnly(true)));
        ByteString seq = client.ok(Request.newBuilder().setGetSequencer(GetSequencerRequest.newBuilder()
                .setHandle(f))).getSequencer().getSequencer();
        client.ok(Request.newBuilder().setCheckSequencer(CheckSequencerRequest.newBuilder().setSequencer(seq)));
        assertEquals(CellOperation.CHECK_SEQUENCER, high.last().operation());
        assertEquals("/ls/c/dir/f", high.last().path().toString(), "a sequencer names its lock");
        assertEquals(high.seen.size(), low.seen.size(), "every filter sees every call");
    }

    @Test
    void filtersAndTheAuthorizerSeeTheConnectionsPrincipalAndClientName() {
        start(false);
        List<String> order = new ArrayList<>();
        Recorder rec = new Recorder("r", order);
        server.addFilter(rec, 0);
        Principal alice = new Principal("alice", Principal.Mechanism.TLS_CERTIFICATE);
        TestClient c = new TestClient(server, new CapturingConnection(alice, "billing-service"));
        c.createSession();
        c.handle("/ls/c/x", RW, Create.CREATE_MAY, false, false, "v");
        CellRequest last = rec.last();
        assertEquals(alice, last.principal());
        assertFalse(last.principal().anonymous());
        assertEquals("billing-service", last.connection().clientName());
        List<String> seen = new ArrayList<>();
        server.addAuthorizer((request, ns) -> {
            seen.add(request.principal().name());
            return request.principal().equals(alice) ? Authorizer.Decision.allow()
                    : Authorizer.Decision.deny("only alice");
        }, 0, 7);
        assertFalse(c.open("/ls/c/x", 1, Create.CREATE_NO, false, false, null).hasError());
        TestClient anon = new TestClient(server);
        assertError(ErrorCode.PERMISSION_DENIED, anon.call(Request.newBuilder().setCreateSession(
                io.chubby.protocol.CreateSessionRequest.newBuilder().setClientName("x"))));
        assertEquals(List.of("alice", "anonymous"), seen);
    }

    @Test
    void aFilterRefusesOneKindOfCallBeforeAnythingIsProposed() {
        start(false);
        server.addFilter(r -> {
            if (r.operation() == CellOperation.SET_CONTENTS) {
                throw new ChubbyException(ErrorCode.PERMISSION_DENIED, "writes are frozen");
            }
        }, 0);
        client.createSession();
        ByteString f = client.handle("/ls/c/f", RW, Create.CREATE_MAY, false, false, "v1");
        int before = consensus.proposals();
        var r = client.call(Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(f)
                .setContents(ByteString.copyFromUtf8("v2"))));
        assertError(ErrorCode.PERMISSION_DENIED, r);
        assertEquals("writes are frozen", r.getError().getMessage());
        assertEquals(before, consensus.proposals(), "refused before proposing");
        assertEquals("v1", client.ok(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder()
                .setHandle(f))).getGetContents().getContents().toStringUtf8(), "other calls go on");
    }

    @Test
    void aFilterThatThrowsRefusesWithInternalAndRemovingItRestoresService() {
        start(false);
        RequestFilter broken = r -> {
            throw new IllegalStateException("bug");
        };
        server.addFilter(broken, 0);
        var r = client.call(Request.newBuilder().setMasterLocation(MasterLocationRequest.getDefaultInstance()));
        assertError(ErrorCode.INTERNAL, r);
        assertTrue(r.getError().getMessage().contains("request filter"), r.getError().getMessage());
        server.removeFilter(broken);
        client.ok(Request.newBuilder().setMasterLocation(MasterLocationRequest.getDefaultInstance()));
    }

    @Test
    void forgedHandlesAreRefusedBeforeFiltersSeeThem() {
        start(false);
        List<String> order = new ArrayList<>();
        Recorder rec = new Recorder("r", order);
        client.createSession();
        server.addFilter(rec, 0);
        assertError(ErrorCode.BAD_HANDLE, client.call(Request.newBuilder().setGetContents(
                GetContentsRequest.newBuilder().setHandle(ByteString.copyFromUtf8("forged")))));
        assertTrue(rec.seen.isEmpty(), "a forged handle never reaches a plug-in");
    }

    @Test
    void theAuthorizerDecidesAndSeesTheNamespace() {
        start(false);
        client.createSession();
        client.handle("/ls/c/secret", RW, Create.CREATE_MAY, false, false, "s");
        List<String> aclNames = new ArrayList<>();
        Authorizer onlyReads = (request, namespace) -> {
            if (request.operation() != CellOperation.OPEN) {
                return Authorizer.Decision.allow();
            }
            var stat = namespace.stat(request.path().cellRelative());
            if (stat != null) {
                aclNames.add(stat.readAcl());
            }
            return request.modes().contains(OpenMode.WRITE)
                    ? Authorizer.Decision.deny(request.principal().name() + " may not write " + request.path())
                    : Authorizer.Decision.allow();
        };
        server.addAuthorizer(onlyReads, 0, 1);
        var denied = client.open("/ls/c/secret", RW, Create.CREATE_NO, false, false, null);
        assertError(ErrorCode.PERMISSION_DENIED, denied);
        assertEquals("anonymous may not write /ls/c/secret", denied.getError().getMessage());
        assertFalse(client.open("/ls/c/secret", 1, Create.CREATE_NO, false, false, null).hasError());
        assertEquals(2, aclNames.size(), "the authorizer read the node's ACL names through the namespace view");

        Authorizer broken = (request, namespace) -> {
            throw new IllegalStateException("realm down");
        };
        server.addAuthorizer(broken, 100, 2);
        var failed = client.open("/ls/c/secret", 1, Create.CREATE_NO, false, false, null);
        assertError(ErrorCode.PERMISSION_DENIED, failed);
        assertTrue(failed.getError().getMessage().contains("realm down"), "a failing authorizer denies");
        server.removeAuthorizer(broken);
        assertFalse(client.open("/ls/c/secret", 1, Create.CREATE_NO, false, false, null).hasError(),
                "the next-ranked authorizer decides again");
    }

    @Test
    void enforcementWithoutAnAuthorizerFailsClosedButSessionsStay() {
        start(true);
        var refused = client.call(Request.newBuilder().setCreateSession(
                io.chubby.protocol.CreateSessionRequest.newBuilder().setClientName("t")));
        assertError(ErrorCode.PERMISSION_DENIED, refused);
        assertTrue(refused.getError().getMessage().contains("no authorizer"), refused.getError().getMessage());
        client.ok(Request.newBuilder().setMasterLocation(MasterLocationRequest.getDefaultInstance()));

        Authorizer all = (request, namespace) -> Authorizer.Decision.allow();
        server.addAuthorizer(all, 0, 1);
        client.createSession();
        ByteString f = client.handle("/ls/c/f", RW, Create.CREATE_MAY, false, false, "v");
        server.removeAuthorizer(all);

        assertError(ErrorCode.PERMISSION_DENIED, client.call(Request.newBuilder().setGetContents(
                GetContentsRequest.newBuilder().setHandle(f))));
        server.request(client.conn, Request.newBuilder().setCallId(99).setSessionId(client.session)
                .setEpoch(client.epoch).setKeepAlive(KeepAliveRequest.getDefaultInstance()).build().toByteArray());
        assertNull(client.conn.forCall(99), "the KeepAlive is admitted and held, not refused");
        assertEquals("1", server.statusForTest().getMetricsMap().get("held_keepalives"));
        assertTrue(server.statusForTest().getMetricsMap().get("authorizer").startsWith("missing"));
        assertEquals(1, server.statusForTest().getSessions(), "the session is still there");
    }

    @Test
    void theNamespaceViewReadsTheAppliedState() {
        start(false);
        client.createSession();
        client.handle("/ls/c/d", RW, Create.CREATE_MUST, true, false, null);
        client.handle("/ls/c/d/a", RW, Create.CREATE_MUST, false, false, "alpha");
        var ns = server.namespace();
        assertEquals("c", ns.cellName());
        assertEquals("alpha", new String(ns.contents("/d/a")));
        assertEquals(5, ns.stat("/d/a").size());
        assertTrue(ns.stat("/d").directory());
        assertEquals(List.of("a"), ns.children("/d").stream().map(e -> e.name()).toList());
        assertNull(ns.stat("/nope"));
        assertNull(ns.contents("bad path"), "an invalid name reads as absent");
        assertTrue(ns.children("/d/a").isEmpty());
        assertTrue(ns.appliedIndex() > 0);
    }

    @Test
    void aSessionBelongsToItsPrincipalAndNoOtherConnectionMayUseIt() {
        start(false);
        Principal alice = new Principal("alice", Principal.Mechanism.TLS_CERTIFICATE);
        Principal bob = new Principal("bob", Principal.Mechanism.PASSWORD);
        TestClient a = new TestClient(server, new CapturingConnection(alice, "a"));
        TestClient b = new TestClient(server, new CapturingConnection(bob, "b"));
        a.createSession();
        ByteString f = a.handle("/ls/c/f", RW, Create.CREATE_MAY, false, false, "v");
        b.session = a.session;
        b.epoch = a.epoch;
        var stolen = b.call(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(f)));
        assertError(ErrorCode.PERMISSION_DENIED, stolen);
        assertEquals("session " + a.session + " belongs to alice, not to bob", stolen.getError().getMessage());
        assertError(ErrorCode.PERMISSION_DENIED, b.call(Request.newBuilder()
                .setKeepAlive(KeepAliveRequest.getDefaultInstance())));
        assertError(ErrorCode.PERMISSION_DENIED, b.call(Request.newBuilder()
                .setCloseSession(io.chubby.protocol.CloseSessionRequest.getDefaultInstance())));
        TestClient anon = new TestClient(server);
        anon.session = a.session;
        anon.epoch = a.epoch;
        assertError(ErrorCode.PERMISSION_DENIED, anon.call(Request.newBuilder().setSetContents(
                SetContentsRequest.newBuilder().setHandle(f).setContents(ByteString.copyFromUtf8("x")))));

        b.session = 0;
        b.createSession();
        assertError(ErrorCode.BAD_HANDLE, b.call(Request.newBuilder().setGetContents(
                GetContentsRequest.newBuilder().setHandle(f))));
        assertEquals("v", a.ok(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(f)))
                .getGetContents().getContents().toStringUtf8(), "the owner is untouched");
    }

    @Test
    void aWriteAdmittedOnAnAclFileThatChangedBeforeItsApplyIsNotApplied() {
        start(false);
        client.createSession();
        client.handle("/ls/c/acl", RW, Create.CREATE_MUST, true, false, null);
        client.handle("/ls/c/acl/writers", RW, Create.CREATE_MUST, false, false, "anonymous");
        ByteString f = client.handle("/ls/c/f", RW, Create.CREATE_MUST, false, false, "v1");
        var writers = server.namespace().stat("/acl/writers");
        // What the authorizer read: the file as it is now, or as it was one write ago.
        long[] seenGeneration = {writers.contentGeneration() - 1};
        server.addAuthorizer((request, ns) -> request.operation() == CellOperation.SET_CONTENTS
                ? Authorizer.Decision.allow(List.of(new io.chubby.spi.AclFileVersion("/acl/writers",
                        writers.instance(), seenGeneration[0])))
                : Authorizer.Decision.allow(), 0, 1);
        int before = consensus.proposals();
        var raced = client.call(Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(f)
                .setContents(ByteString.copyFromUtf8("v2"))));
        assertError(ErrorCode.CELL_UNAVAILABLE, raced);
        assertEquals("the ACL file /ls/c/acl/writers changed while the call was in flight: nothing was applied; "
                + "retry (the call is decided again on the new ACL)", raced.getError().getMessage());
        assertEquals(before + 1, consensus.proposals(), "it was proposed, and refused by the apply");
        assertEquals("v1", new String(server.namespace().contents("/f")), "nothing changed");

        seenGeneration[0] = writers.contentGeneration();
        client.ok(Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(f)
                .setContents(ByteString.copyFromUtf8("v2"))));
        assertEquals("v2", new String(server.namespace().contents("/f")), "the same versions: applied");
    }

    @Test
    void aDecisionOnAMissingAclFileIsUndoneWhenTheFileAppears() {
        start(false);
        client.createSession();
        client.handle("/ls/c/acl", RW, Create.CREATE_MUST, true, false, null);
        ByteString f = client.handle("/ls/c/f", RW, Create.CREATE_MUST, false, false, "v1");
        client.handle("/ls/c/acl/late", RW, Create.CREATE_MUST, false, false, "anonymous");
        server.addAuthorizer((request, ns) -> request.operation() == CellOperation.DELETE
                ? Authorizer.Decision.allow(List.of(io.chubby.spi.AclFileVersion.absent("/acl/late")))
                : Authorizer.Decision.allow(), 0, 1);
        assertError(ErrorCode.CELL_UNAVAILABLE, client.call(Request.newBuilder().setDelete(
                io.chubby.protocol.DeleteRequest.newBuilder().setHandle(f))));
        assertEquals("v1", new String(server.namespace().contents("/f")), "still there");
    }
}
