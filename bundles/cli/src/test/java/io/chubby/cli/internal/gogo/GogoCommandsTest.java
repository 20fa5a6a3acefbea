package io.chubby.cli.internal.gogo;

import io.chubby.cli.internal.CellAccess;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.protocol.StatusReply;
import io.chubby.sim.cell.InProcessCell;
import io.chubby.spi.Member;
import io.chubby.spi.ReplicaIdentity;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Gogo commands of replica 2 (master at epoch 5), a real cell in this JVM. */
class GogoCommandsTest {
    private final InProcessCell cell = InProcessCell.builder().replicaId(2).view(2, 5).start();
    private final GogoCommands commands = new GogoCommands(cell.address(), CellAccess.LIBRARY);

    @AfterEach
    void close() {
        cell.close();
    }

    private record Identity(int replicaId, List<Member> members) implements ReplicaIdentity {
        @Override
        public String cellName() {
            return "local";
        }

        @Override
        public String dataDir() {
            return "/unused";
        }
    }

    @Test
    void ownAddressComesFromTheReplicaIdentity() {
        List<Member> members = Member.parseList("1@127.0.0.1:7001:7101,2@127.0.0.1:7002:7102");
        assertEquals("127.0.0.1:7002", new GogoCommands(new Identity(2, members)).address());
        assertThrows(IllegalStateException.class, () -> new GogoCommands(new Identity(3, members)));
    }

    @Test
    void commandsRunAgainstThisReplicaAndReturnTheirOutput() {
        assertEquals("", commands.mkdir("/ls/local/d"));
        assertEquals("", commands.put("/ls/local/d/f", "v"));
        try (ChubbyClient c = ChubbyClient.connect(ClientOptions.forCell(cell.address()))) {
            assertEquals("v", new String(c.read("/ls/local/d/f"), StandardCharsets.UTF_8), "written in this replica");
            assertEquals("f\n", commands.ls("/ls/local/d"));
            assertEquals("v", commands.cat("/ls/local/d/f"));
            assertTrue(commands.stat("/ls/local/d/f").contains("size: 1\n"));
            assertTrue(commands.locks("/ls/local/d/f").contains("state: free\n"));
            assertEquals("", commands.rm("-r", "/ls/local/d"));
            assertFalse(c.exists("/ls/local/d"));
        }
    }

    @Test
    void statusAndMasterAskThisReplica() {
        // the new master records its lease ceiling (one entry) on its first ticks: the index moves until then
        io.chubby.testkit.Await.until("the lease ceiling recorded",
                () -> !"0".equals(cell.status().getMetricsMap().get("lease_ceiling_ms")));
        StatusReply s = cell.status();
        assertEquals(String.format("replica=2 address=%s pid=%d role=master epoch=5 applied=%d checksum=%016x"
                        + " lease_ms=12000 sessions=0 keepalives_per_s=0.0\n", cell.address(), ProcessHandle.current().pid(),
                s.getAppliedIndex(), s.getChecksum()), commands.status());
        assertEquals(cell.address() + " epoch=5 replica=2\n", commands.master());
    }

    @Test
    void failuresThrowTheOneErrorLine() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> commands.cat("/ls/local/none"));
        assertEquals("chubby: NO_SUCH_NODE: /ls/local/none does not exist", e.getMessage());
        IllegalStateException hold = assertThrows(IllegalStateException.class,
                () -> commands.put("--ephemeral", "/ls/local/e", "v"));
        assertTrue(hold.getMessage().contains("needs --hold"), hold.getMessage());
    }
}
