package io.chubby.it;

import static io.chubby.it.WireClient.assertError;
import static io.chubby.it.WireClient.assertOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ErrorCode;
import io.chubby.client.ReplicaStatus;
import io.chubby.protocol.Create;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.protocol.MasterLocationRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * {@link FileApiBehaviour} on a five-replica cell of real processes, plus NOT_MASTER: every
 * master-only call sent to a replica that is not the master is refused with the master's location.
 */
class FileApiFiveReplicaIT extends WireProtocolBehaviour {
    @Override
    int replicas() {
        return 5;
    }

    @Test
    @Order(200)
    void aNonMasterReplicaRefusesWithTheMastersLocation() {
        ReplicaStatus master = masterStatus();
        List<ReplicaStatus> others = statuses().stream().filter(Objects::nonNull).filter(s -> !s.isMaster()).toList();
        assertEquals(4, others.size(), others::toString);
        String f = dir("not-master") + "/f";
        try (WireClient onMaster = WireClient.withSession(master.address())) {
            for (ReplicaStatus other : others) {
                try (WireClient w = new WireClient(other.address())) {
                    w.sessionId = onMaster.sessionId;
                    w.epoch = onMaster.epoch;
                    Response write = assertError(ErrorCode.NOT_MASTER,
                            w.call(WireClient.open(f, READ | WRITE, Create.CREATE_MUST)));
                    assertEquals(master.address(), write.getMaster().getMasterAddress(), write::toString);
                    assertEquals(master.replicaId(), write.getMaster().getMasterId(), write::toString);
                    assertEquals(onMaster.epoch, write.getMaster().getEpoch(), write::toString);
                    assertEquals(5, write.getMaster().getReplicasCount(), write::toString);

                    Response create = assertError(ErrorCode.NOT_MASTER, w.call(Request.newBuilder()
                            .setCreateSession(CreateSessionRequest.newBuilder().setClientName("x")).setSessionId(0)));
                    assertEquals(master.address(), create.getMaster().getMasterAddress(), create::toString);

                    // location calls are answered by any replica
                    Response loc = assertOk(w.call(Request.newBuilder()
                            .setMasterLocation(MasterLocationRequest.getDefaultInstance())));
                    assertEquals(master.address(), loc.getMasterLocation().getMasterAddress(), loc::toString);
                }
            }
            assertFalse(client.exists(f), "no refused write took effect");
            assertOk(onMaster.call(WireClient.open(f, READ | WRITE, Create.CREATE_MUST)));
            assertTrue(client.exists(f));
        }
    }
}
