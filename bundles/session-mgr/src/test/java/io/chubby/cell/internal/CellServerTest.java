package io.chubby.cell.internal;

import static io.chubby.cell.internal.TestClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.AdminRequest;
import io.chubby.protocol.CloseRequest;
import io.chubby.protocol.CloseSessionRequest;
import io.chubby.protocol.Create;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.protocol.DeleteRequest;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.GetStatRequest;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.MasterLocationRequest;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.ReadDirRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetAclRequest;
import io.chubby.protocol.SetContentsRequest;
import io.chubby.protocol.StatusRequest;
import io.chubby.spi.AdminShell;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.MemoryStateStore;
import io.chubby.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cell edge driven through real protobuf requests over test doubles (no OSGi, no network). */
class CellServerTest {
    private static final int R = 1;
    private static final int RW = 3;
    private final MutableClock clock = new MutableClock();
    private final MemoryStateStore store = new MemoryStateStore();
    private final FakeConsensus consensus = new FakeConsensus();
    private final CellSettings settings = new CellSettings("c", 1024, 12_000, 60_000, 1_000, 0);
    private CellServer server;
    private TestClient client;

    @BeforeEach
    void start() {
        server = new CellServer(consensus, store, settings, clock);
        server.start();
        client = new TestClient(server);
        client.createSession();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private static ByteString bytes(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }

    @Test
    void fullFileApiRoundTrip() {
        Response dir = client.open("/ls/local/dir", RW, Create.CREATE_MUST, true, false, null);
        assertTrue(dir.getOpen().getCreated());
        assertTrue(dir.getOpen().getStat().getDirectory());
        ByteString f = client.handle("/ls/c/dir/file", RW, Create.CREATE_MAY, false, false, "hello");
        Response got = client.ok(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(f)));
        assertEquals("hello", got.getGetContents().getContents().toStringUtf8());
        assertEquals(1, got.getGetContents().getStat().getContentGeneration());

        Response set = client.ok(Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(f)
                .setContents(bytes("world!")).setCas(true).setExpectedGeneration(1)));
        assertEquals(2, set.getSetContents().getStat().getContentGeneration());
        assertError(ErrorCode.CAS_MISMATCH, client.call(Request.newBuilder().setSetContents(
                SetContentsRequest.newBuilder().setHandle(f).setContents(bytes("x")).setCas(true)
                        .setExpectedGeneration(1))));
        Response stat = client.ok(Request.newBuilder().setGetStat(GetStatRequest.newBuilder().setHandle(f)));
        assertEquals(6, stat.getStat().getSize());
        assertEquals(clock.millis(), stat.getStat().getModifiedMs());

        // Relative open against the directory handle, then ReadDir.
        Response rel = client.call(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath("sub")
                .setDirHandle(dir.getOpen().getHandle()).setModeBits(RW).setCreate(Create.CREATE_MUST)
                .setDirectory(true)));
        assertTrue(rel.getOpen().getCreated());
        assertError(ErrorCode.INVALID_ARGUMENT, client.call(Request.newBuilder().setOpen(OpenRequest.newBuilder()
                .setPath("/ls/c/dir/sub").setDirHandle(dir.getOpen().getHandle()).setModeBits(R))));
        Response ls = client.ok(Request.newBuilder().setReadDir(ReadDirRequest.newBuilder()
                .setHandle(dir.getOpen().getHandle())));
        assertEquals(2, ls.getReadDir().getEntriesCount());
        assertEquals("file", ls.getReadDir().getEntries(0).getName());
        assertEquals("sub", ls.getReadDir().getEntries(1).getName());

        ByteString acl = client.handle("/ls/c/dir/file", 5, Create.CREATE_NO, false, false, null);
        Response a = client.ok(Request.newBuilder().setSetAcl(SetAclRequest.newBuilder().setHandle(acl)
                .setReadAcl("r").setWriteAcl("w").setChangeAcl("c")));
        assertEquals(2, a.getStat().getAclGeneration());

        assertError(ErrorCode.NOT_EMPTY, client.call(Request.newBuilder().setDelete(DeleteRequest.newBuilder()
                .setHandle(dir.getOpen().getHandle()))));
        client.ok(Request.newBuilder().setDelete(DeleteRequest.newBuilder().setHandle(f)));
        assertError(ErrorCode.BAD_HANDLE, client.call(Request.newBuilder().setGetStat(GetStatRequest.newBuilder()
                .setHandle(f))));
        assertError(ErrorCode.NO_SUCH_NODE, client.open("/ls/c/dir/file", R, Create.CREATE_NO, false, false, null));
        // Close never fails, even on the handle of a deleted node, twice.
        client.ok(Request.newBuilder().setClose(CloseRequest.newBuilder().setHandle(f)));
        client.ok(Request.newBuilder().setClose(CloseRequest.newBuilder().setHandle(f)));

        Response st = client.ok(Request.newBuilder().setStatus(StatusRequest.getDefaultInstance()));
        assertEquals(3, st.getStatus().getNodes(), "root, /dir, /dir/sub");
        assertEquals(1, st.getStatus().getSessions());
        assertEquals(ProcessHandle.current().pid(), st.getStatus().getPid());
        assertEquals(store.checksum(), st.getStatus().getChecksum());
        assertEquals("127.0.0.1:7001", st.getStatus().getAddress());
    }

    @Test
    void validationErrorsProposeNothing() {
        ByteString ro = client.handle("/ls/c/f", R, Create.CREATE_MAY, false, false, "x");
        long index = store.appliedIndex();
        assertError(ErrorCode.TOO_LARGE, client.open("/ls/c/big", RW, Create.CREATE_MAY, false, false,
                "x".repeat(1025)));
        assertError(ErrorCode.PERMISSION_DENIED, client.call(Request.newBuilder().setSetContents(
                SetContentsRequest.newBuilder().setHandle(ro).setContents(bytes("y")))));
        assertError(ErrorCode.INVALID_ARGUMENT, client.open("/ls/c/bad name", RW, Create.CREATE_MAY, false, false,
                null));
        assertError(ErrorCode.INVALID_ARGUMENT, client.open("/ls/other/f", RW, Create.CREATE_MAY, false, false,
                null));
        assertError(ErrorCode.IS_A_DIRECTORY, client.call(Request.newBuilder().setGetContents(
                GetContentsRequest.newBuilder().setHandle(client.handle("/ls/c", R, Create.CREATE_NO, false, false,
                        null)))));
        long afterRootOpen = store.appliedIndex();
        assertEquals(index + 1, afterRootOpen, "only the successful open of the root was proposed");
        assertError(ErrorCode.INVALID_ARGUMENT, client.call(Request.newBuilder()));
        assertError(ErrorCode.INVALID_ARGUMENT, client.call(Request.newBuilder().setAdmin(AdminRequest.newBuilder()
                .setCommandLine("lb"))));
        assertEquals(afterRootOpen, store.appliedIndex());
    }

    @Test
    void forgedAndForeignHandlesAreBad() {
        ByteString h = client.handle("/ls/c/f", RW, Create.CREATE_MAY, false, false, "x");
        byte[] forged = h.toByteArray();
        forged[forged.length - 1] ^= 0x55;
        assertError(ErrorCode.BAD_HANDLE, client.call(Request.newBuilder().setGetStat(GetStatRequest.newBuilder()
                .setHandle(ByteString.copyFrom(forged)))));
        assertError(ErrorCode.BAD_HANDLE, client.call(Request.newBuilder().setGetStat(GetStatRequest.newBuilder()
                .setHandle(bytes("garbage-garbage-garbage")))));
        TestClient other = new TestClient(server);
        other.createSession();
        assertError(ErrorCode.BAD_HANDLE, other.call(Request.newBuilder().setGetStat(GetStatRequest.newBuilder()
                .setHandle(h))));
    }

    @Test
    void theLeavingNoticeNamesTheMasterButNeverThisReplica() throws Exception {
        Response serving = Response.parseFrom(server.leavingNotice());
        assertEquals(0, serving.getCallId(), "unasked: call id 0");
        assertError(ErrorCode.NOT_MASTER, serving);
        assertEquals(0, serving.getMaster().getMasterId(), "still the master, but leaving: no master to name");
        assertEquals("", serving.getMaster().getMasterAddress());
        assertEquals(3, serving.getMaster().getReplicasCount(), "the replicas to ask instead");
        consensus.loseMastership(2);
        Response handedOver = Response.parseFrom(server.leavingNotice());
        assertError(ErrorCode.NOT_MASTER, handedOver);
        assertEquals(2, handedOver.getMaster().getMasterId());
        assertEquals("127.0.0.1:7002", handedOver.getMaster().getMasterAddress());
        assertTrue(handedOver.getError().getMessage().contains("is leaving"), handedOver.getError().getMessage());
    }

    @Test
    void redirectWhenNotMasterAndLocationFromAnyReplica() {
        consensus.loseMastership(2);
        Response r = client.call(Request.newBuilder().setGetStat(GetStatRequest.newBuilder()
                .setHandle(bytes("whatever-it-is-not-checked"))));
        assertError(ErrorCode.NOT_MASTER, r);
        assertEquals(2, r.getMaster().getMasterId());
        assertEquals("127.0.0.1:7002", r.getMaster().getMasterAddress());
        assertEquals(3, r.getMaster().getReplicasCount());
        Response loc = client.ok(Request.newBuilder().setMasterLocation(MasterLocationRequest.getDefaultInstance()));
        assertEquals("127.0.0.1:7002", loc.getMasterLocation().getMasterAddress());
        assertEquals("c", loc.getMasterLocation().getCell());
        client.ok(Request.newBuilder().setStatus(StatusRequest.getDefaultInstance()));
    }

    @Test
    void wrongEpochIsRejectedWithLocation() {
        Response r = client.call(Request.newBuilder().setEpoch(99).setOpen(OpenRequest.newBuilder()
                .setPath("/ls/c/x").setCreate(Create.CREATE_MAY)));
        assertError(ErrorCode.WRONG_EPOCH, r);
        assertEquals(1, r.getMaster().getEpoch());
        assertError(ErrorCode.NO_SUCH_NODE, client.open("/ls/c/x", R, Create.CREATE_NO, false, false, null));
    }

    @Test
    void lostProposalIsReportedAsOutcomeUnknown() {
        consensus.failNextProposalAfterCommit();
        Response r = client.open("/ls/c/x", RW, Create.CREATE_MUST, false, false, null);
        assertError(ErrorCode.OUTCOME_UNKNOWN, r);
        assertEquals(19, r.getError().getCode(), "its own wire number, not CELL_UNAVAILABLE's");
        assertTrue(r.getError().getMessage().startsWith("outcome unknown: the master lost mastership"),
                r.getError().getMessage());
        // It did commit: a blind retry of the MUST create would fail EXISTS.
        assertError(ErrorCode.EXISTS, client.open("/ls/c/x", RW, Create.CREATE_MUST, false, false, null));
    }

    @Test
    void keepAliveIsHeldUntilJustBeforeTheLeaseEndsThenExtends() {
        long call = client.callId + 1;
        server.request(client.conn, Request.newBuilder().setCallId(call).setSessionId(client.session)
                .setKeepAlive(KeepAliveRequest.getDefaultInstance()).build().toByteArray());
        assertNull(client.conn.forCall(call), "held, not answered at once");
        clock.advance(10_000);
        server.tick();
        assertNull(client.conn.forCall(call), "still 2 s of lease left, margin is 1 s");
        clock.advance(1_000);
        server.tick();
        Response r = client.conn.forCall(call);
        assertEquals(12_000, r.getKeepAlive().getLeaseMs());
        assertEquals(1, r.getKeepAlive().getEpoch());
        // The original lease end (12 s) passes: the session lives on.
        clock.advance(5_000);
        server.tick();
        client.ok(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath("/ls/c").setModeBits(R)));
    }

    @Test
    void expiredSessionLosesItsEphemeralNodes() {
        client.handle("/ls/c/eph", RW, Create.CREATE_MUST, false, true, "me");
        TestClient other = new TestClient(server);
        other.createSession();
        clock.advance(6_000);
        server.request(other.conn, Request.newBuilder().setCallId(77).setSessionId(other.session)
                .setKeepAlive(KeepAliveRequest.getDefaultInstance()).build().toByteArray());
        clock.advance(6_000);
        server.tick(); // client's lease (12 s) has ended; other's held KeepAlive is answered and extended
        assertEquals(12_000, other.conn.forCall(77).getKeepAlive().getLeaseMs());
        assertError(ErrorCode.SESSION_EXPIRED, client.open("/ls/c/eph", R, Create.CREATE_NO, false, false, null));
        assertError(ErrorCode.NO_SUCH_NODE, other.open("/ls/c/eph", R, Create.CREATE_NO, false, false, null));
        assertEquals(1, server.statusForTest().getSessions());
    }

    @Test
    void closeSessionEndsItAtOnce() {
        client.handle("/ls/c/eph", RW, Create.CREATE_MUST, false, true, null);
        client.ok(Request.newBuilder().setCloseSession(CloseSessionRequest.getDefaultInstance()));
        assertError(ErrorCode.SESSION_EXPIRED, client.call(Request.newBuilder().setKeepAlive(
                KeepAliveRequest.getDefaultInstance())));
        TestClient other = new TestClient(server);
        other.createSession();
        assertError(ErrorCode.NO_SUCH_NODE, other.open("/ls/c/eph", R, Create.CREATE_NO, false, false, null));
    }

    @Test
    void aMasterNotYetTakenOverAsksForARetryAndNeverEndsASession() {
        consensus.loseMastership(2);
        // Master again at epoch 5, before its becameMaster callback ran: the lease table is the old one.
        consensus.failOverQuietly(1, 5);
        client.epoch = 5;
        Response ka = client.call(Request.newBuilder().setKeepAlive(KeepAliveRequest.getDefaultInstance()));
        assertError(ErrorCode.CELL_UNAVAILABLE, ka);
        assertTrue(ka.getError().getMessage().contains("taking over"), ka.getError().getMessage());
        assertError(ErrorCode.CELL_UNAVAILABLE, client.open("/ls/c", R, Create.CREATE_NO, false, false, null));
        TestClient late = new TestClient(server);
        late.epoch = 5;
        assertError(ErrorCode.CELL_UNAVAILABLE, late.call(Request.newBuilder().setCreateSession(
                CreateSessionRequest.newBuilder().setClientName("late"))));
        server.tick(); // the timer takes over when the callback did not
        client.ok(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath("/ls/c").setModeBits(R)));
        assertEquals(1, server.statusForTest().getSessions(), "the session lived through it");
    }

    @Test
    void lostMastershipFailsHeldKeepAlives() {
        long call = client.callId + 1;
        server.request(client.conn, Request.newBuilder().setCallId(call).setSessionId(client.session)
                .setKeepAlive(KeepAliveRequest.getDefaultInstance()).build().toByteArray());
        consensus.loseMastership(3);
        Response r = client.conn.forCall(call);
        assertError(ErrorCode.NOT_MASTER, r);
        assertEquals("127.0.0.1:7003", r.getMaster().getMasterAddress());
    }

    @Test
    void sessionCreationsArrivingTogetherShareOneEntry() {
        consensus.hold();
        int before = consensus.proposals();
        TestClient[] clients = new TestClient[6];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = new TestClient(server);
            clients[i].server.request(clients[i].conn, Request.newBuilder().setCallId(1)
                    .setCreateSession(io.chubby.protocol.CreateSessionRequest.getDefaultInstance()).build()
                    .toByteArray());
        }
        consensus.release();
        assertEquals(2, consensus.proposals() - before, "the first creation alone, then the other five together");
        long last = 0;
        for (TestClient c : clients) {
            long id = c.conn.forCall(1).getCreateSession().getSessionId();
            assertTrue(id > last);
            last = id;
        }
    }

    @Test
    void restartKeepsStateChecksumAndHandles() {
        ByteString h = client.handle("/ls/c/keep", RW, Create.CREATE_MUST, false, false, "data");
        long sum = store.checksum();
        long index = store.appliedIndex();
        server.stop();
        FakeConsensus again = new FakeConsensus();
        again.failOver(1, 2);
        server = new CellServer(again, store, settings, clock);
        server.start();
        assertEquals(sum, server.statusForTest().getChecksum());
        assertEquals(index + 1, server.statusForTest().getAppliedIndex(), "plus the takeover's settling entry");
        TestClient resumed = new TestClient(server);
        resumed.session = client.session;
        resumed.epoch = 2;
        Response got = resumed.ok(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(h)));
        assertEquals("data", got.getGetContents().getContents().toStringUtf8());
        // The new master extended the recorded session's lease to the maximum (60 s) from takeover.
        clock.advance(59_000);
        server.tick();
        resumed.ok(Request.newBuilder().setGetStat(GetStatRequest.newBuilder().setHandle(h)));
        clock.advance(2_000);
        server.tick();
        assertError(ErrorCode.SESSION_EXPIRED, resumed.call(Request.newBuilder().setGetStat(
                GetStatRequest.newBuilder().setHandle(h))));
    }

    @Test
    void adminShellRunsWhenBound() {
        AdminShell shell = line -> new AdminShell.Result(0, "ran " + line);
        server.setAdminShell(shell);
        Response r = client.ok(Request.newBuilder().setAdmin(AdminRequest.newBuilder().setCommandLine("lb")));
        assertEquals("ran lb", r.getAdmin().getOutput());
        server.unsetAdminShell(shell);
        assertError(ErrorCode.INVALID_ARGUMENT, client.call(Request.newBuilder().setAdmin(
                AdminRequest.newBuilder().setCommandLine("lb"))));
        assertFalse(r.hasError());
    }

    @Test
    void undecodableRequestGetsProtocolError() {
        server.request(client.conn, new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
        assertError(ErrorCode.PROTOCOL_ERROR, client.conn.last());
    }
}
