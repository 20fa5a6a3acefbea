package io.chubby.sim.cell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.MasterInfo;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ReplicaStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-process cells through the real client library over loopback TCP. */
class InProcessCellTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static ChubbyClient connect(String cellSpec) {
        return ChubbyClient.connect(ClientOptions.builder().cell(cellSpec).callTimeout(TIMEOUT).build());
    }

    @Test
    void aClientWritesAndReadsThroughTheRealStack() {
        try (InProcessCell cell = InProcessCell.start(); ChubbyClient c = connect(cell.address())) {
            c.write("/ls/local/f", "v".getBytes(StandardCharsets.UTF_8));
            assertEquals("v", new String(c.read("/ls/local/f"), StandardCharsets.UTF_8));
            assertEquals(2, cell.status().getNodes(), "the root and the file");
            assertEquals(cell.store().appliedIndex(), cell.status().getAppliedIndex(), "written through to the store");
            assertEquals(List.of(cell.address()), c.masterInfo().replicas());
        }
    }

    @Test
    void aStartedCellHasMadeItsOwnProposalsAlready() {
        try (InProcessCell cell = InProcessCell.start()) {
            // the timer's lease ceiling is recorded before start() returns, so a test's "next
            // proposal" (FakeConsensus.failProposalAfterCommit) is a client's
            assertNotEquals("0", cell.status().getMetricsMap().getOrDefault("lease_ceiling_ms", "0"));
            int proposals = cell.consensus().proposals();
            cell.tick();
            assertEquals(proposals, cell.consensus().proposals(), "a timer step proposes nothing more");
        }
    }

    @Test
    void replicasNameOneMasterAndClientsAreSentThere() {
        try (InProcessReplicas cell = InProcessReplicas.start(3, 2, 5, 3); ChubbyClient c = connect(cell.cellSpec())) {
            c.write("/ls/local/f", "v".getBytes(StandardCharsets.UTF_8));
            assertEquals(2, cell.replica(2).status().getNodes(), "the master took the write");
            assertEquals(0, cell.replica(1).status().getNodes(), "no replication between in-process replicas");

            ReplicaStatus one = ChubbyClient.status(cell.addresses().get(0), TIMEOUT);
            assertEquals(1, one.replicaId());
            assertEquals("replica", one.role());
            assertEquals(2, one.masterId());
            assertEquals(5, one.epoch());
            MasterInfo m = ChubbyClient.masterLocation(cell.addresses().get(0), TIMEOUT);
            assertEquals(cell.addresses().get(1), m.masterAddress());
            assertEquals(cell.addresses(), m.replicas());
            ChubbyException down = assertThrows(ChubbyException.class,
                    () -> ChubbyClient.status(cell.addresses().get(2), TIMEOUT));
            assertEquals(ErrorCode.CELL_UNAVAILABLE, down.code(), down.getMessage());
            assertThrows(IllegalArgumentException.class, () -> cell.replica(3));
        }
    }

    @Test
    void consecutivePortsFollowTheBase() {
        try (InProcessReplicas cell = InProcessReplicas.startOnConsecutivePorts(3, 0, 0, 2)) {
            int base = cell.basePort();
            assertEquals(List.of("127.0.0.1:" + (base + 1), "127.0.0.1:" + (base + 2), "127.0.0.1:" + (base + 3)),
                    cell.addresses());
            assertEquals("candidate", ChubbyClient.status(cell.addresses().get(2), TIMEOUT).role());
            assertTrue(!ChubbyClient.masterLocation(cell.addresses().get(0), TIMEOUT).known(), "no master known");
        }
    }

    @Test
    void anIsolatedReplicaRefusesClientsUntilHealedOnTheSamePort() {
        try (InProcessCell cell = InProcessCell.start()) {
            String address = cell.address();
            cell.isolate();
            assertThrows(ChubbyException.class, () -> ChubbyClient.status(address, TIMEOUT));
            cell.heal();
            assertEquals(address, cell.address());
            assertEquals("master", ChubbyClient.status(address, TIMEOUT).role());
        }
    }
}
