package io.chubby.cli.internal.gogo;

import io.chubby.api.MasterInfo;
import io.chubby.cli.internal.FakeCell;
import io.chubby.client.ReplicaStatus;
import io.chubby.spi.Member;
import io.chubby.spi.ReplicaIdentity;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GogoCommandsTest {
    private final FakeCell cell = new FakeCell();
    private final GogoCommands commands = new GogoCommands("127.0.0.1:7002", cell);

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
        assertEquals("f\n", commands.ls("/ls/local/d"));
        assertEquals("v", commands.cat("/ls/local/d/f"));
        assertTrue(commands.stat("/ls/local/d/f").contains("size: 1\n"));
        assertTrue(commands.locks("/ls/local/d/f").contains("state: free\n"));
        assertEquals("", commands.rm("-r", "/ls/local/d"));
        assertEquals(List.of("127.0.0.1:7002"), cell.connects.get(0).replicas());
    }

    @Test
    void statusAndMasterAskThisReplica() {
        cell.answer("127.0.0.1:7002", new ReplicaStatus(2, "master", 2, 5, 7, 7, 1, 1, true, 0, 1,
                "127.0.0.1:7002", 99, Map.of()));
        cell.master = new MasterInfo("local", 2, "127.0.0.1:7002", 5, List.of());
        assertEquals("replica=1 address=127.0.0.1:7002 pid=99 role=master epoch=5 applied=7 checksum=0000000000000001\n"
                .replace("replica=1", "replica=2"), commands.status());
        assertEquals("127.0.0.1:7002 epoch=5 replica=2\n", commands.master());
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
