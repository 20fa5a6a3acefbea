package io.chubby.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.AdminResult;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ReplicaStatus;
import io.chubby.protocol.AdminReply;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.StatusReply;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Session-less calls to one replica, and cell spec parsing. */
class OneShotTest {
    @Test
    void statusAndAdminOfOneReplica() throws Exception {
        try (FakeReplica r = new FakeReplica(3)) {
            r.on(Request.BodyCase.STATUS, x -> x.reply(Response.newBuilder().setStatus(StatusReply.newBuilder()
                    .setReplicaId(3).setRole("master").setMasterId(3).setEpoch(4).setCommitIndex(10).setAppliedIndex(9)
                    .setChecksum(-1L).setFirstLogIndex(1).setLeaseValid(true).setSessions(2).setNodes(5)
                    .setAddress(r.address()).setPid(1234).putMetrics("lease.ms", "12000"))));
            r.on(Request.BodyCase.ADMIN, x -> x.reply(Response.newBuilder().setAdmin(AdminReply.newBuilder()
                    .setStatus(0).setOutput("ran " + x.request.getAdmin().getCommandLine()))));
            ReplicaStatus s = ChubbyClient.status(r.address(), Duration.ofSeconds(2));
            assertEquals(new ReplicaStatus(3, "master", 3, 4, 10, 9, -1L, 1, true, 2, 5, r.address(), 1234,
                    java.util.Map.of("lease.ms", "12000")), s);
            assertTrue(s.isMaster());
            assertEquals(new AdminResult(0, "ran lb"), ChubbyClient.admin(r.address(), "lb", Duration.ofSeconds(2)));
            assertEquals(r.address(), ChubbyClient.masterLocation(r.address(), Duration.ofSeconds(2)).masterAddress());
            r.on(Request.BodyCase.ADMIN, x -> x.fail(ErrorCode.INVALID_ARGUMENT, "no admin shell"));
            assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(ChubbyException.class,
                    () -> ChubbyClient.admin(r.address(), "lb", Duration.ofSeconds(2))).code());
        }
    }

    @Test
    void aReplicaThatDoesNotAnswerIsCellUnavailable() throws Exception {
        String addr;
        try (FakeReplica r = new FakeReplica(1)) {
            addr = r.address();
            r.on(Request.BodyCase.STATUS, x -> { }); // silent
            // The replica never answers, so only the 300 ms timeout can end the call; a call that
            // ignored it would hang this test. (How late the timer fired is not a unit test's business.)
            ChubbyException e = assertThrows(ChubbyException.class, () -> ChubbyClient.status(r.address(),
                    Duration.ofMillis(300)));
            assertEquals(ErrorCode.CELL_UNAVAILABLE, e.code());
        }
        assertEquals(ErrorCode.CELL_UNAVAILABLE, assertThrows(ChubbyException.class,
                () -> ChubbyClient.status(addr, Duration.ofMillis(500))).code());
    }

    @Test
    void connectFailsWithCellUnavailableWhenNoReplicaAnswers() throws Exception {
        String addr;
        try (FakeReplica r = new FakeReplica(1)) {
            addr = r.address();
        }
        ChubbyException e = assertThrows(ChubbyException.class, () -> ChubbyClient.connect(ClientOptions.builder()
                .cell(addr).callTimeout(Duration.ofMillis(500)).build()));
        assertEquals(ErrorCode.CELL_UNAVAILABLE, e.code());
    }

    @Test
    void cellSpecsParse() {
        assertEquals(List.of("127.0.0.1:7001", "127.0.0.1:7002"),
                ClientOptions.parseCell("export CHUBBY_CELL=127.0.0.1:7001,127.0.0.1:7002"));
        assertEquals(List.of("h:1", "h:2"), ClientOptions.forCell(" h:1, h:2 ").replicas());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(ChubbyException.class,
                () -> ClientOptions.parseCell("nohost")).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(ChubbyException.class,
                () -> ClientOptions.parseCell("h:99999")).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(ChubbyException.class,
                () -> ClientOptions.parseCell(" , ")).code());
        ClientOptions o = ClientOptions.forCell("h:1");
        assertEquals(ClientOptions.DEFAULT_GRACE_PERIOD, o.gracePeriod());
        assertEquals(Duration.ofSeconds(3), o.toBuilder().callTimeout(Duration.ofSeconds(3)).build().callTimeout());
    }
}
