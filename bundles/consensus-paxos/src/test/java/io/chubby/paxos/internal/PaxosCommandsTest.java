package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.Consensus;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code paxos:transfer}: an operator moves a group's master; refusals say why. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PaxosCommandsTest {

    private static PaxosCommands commands(GroupCell cell, int replica) {
        return new PaxosCommands(cell.replicas.get(replica).host());
    }

    @Test
    void transferToANamedReplicaAndToTheSuccessor() throws Exception {
        try (GroupCell cell = new GroupCell(3, 1)) {
            int m = cell.awaitMaster(0, 10_000).self().id();
            int to = m % 3 + 1;
            String out = commands(cell, m).transfer("--to", Integer.toString(to));
            System.out.println("paxos:transfer --to " + to + " -> " + out);
            assertTrue(out.startsWith("group 0: mastership moved from replica " + m + " to replica " + to + " in "),
                    out);
            Consensus now = cell.awaitMaster(0, 5000);
            assertEquals(to, now.self().id());
            now.propose("after".getBytes()).get(5, TimeUnit.SECONDS);
            String again = commands(cell, to).transfer();
            assertTrue(again.contains("mastership moved from replica " + to), again);
        }
    }

    @Test
    void refusalsAreClear() throws Exception {
        try (GroupCell cell = new GroupCell(3, 1)) {
            int m = cell.awaitMaster(0, 10_000).self().id();
            int follower = m % 3 + 1;
            IllegalStateException notMaster = assertThrows(IllegalStateException.class,
                    () -> commands(cell, follower).transfer());
            assertTrue(notMaster.getMessage().contains("does not serve group 0 (its master is " + m + ")"),
                    notMaster.getMessage());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> commands(cell, m).transfer("--to", "9"))
                    .getMessage().contains("not another member"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> commands(cell, m).transfer("--to",
                    Integer.toString(m))).getMessage().contains("not another member"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> commands(cell, m).transfer("--group", "3"))
                    .getMessage().contains("group 3 is not open"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> commands(cell, m).transfer("--to"))
                    .getMessage().contains(PaxosCommands.USAGE));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> commands(cell, m).transfer("--to", "x"))
                    .getMessage().contains("non-negative number"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> commands(cell, m).transfer("--force"))
                    .getMessage().contains("unknown argument --force"));
            assertEquals(m, cell.awaitMaster(0, 1000).self().id(), "refusals moved nothing");
        }
    }

    @Test
    void memberArgumentsAreParsedOrRefusedWithTheUsage() {
        assertEquals(new io.chubby.spi.Member(4, "10.0.0.4", 7004, 7104),
                PaxosCommands.member("4", "10.0.0.4:7104", "10.0.0.4:7004"));
        IllegalArgumentException hosts = assertThrows(IllegalArgumentException.class,
                () -> PaxosCommands.member("4", "10.0.0.4:7104", "10.0.0.5:7004"));
        assertTrue(hosts.getMessage().contains("one host"), hosts.getMessage());
        PaxosCommands none = new PaxosCommands((GroupHost) null);
        IllegalArgumentException usage = assertThrows(IllegalArgumentException.class, () -> none.member("grow", "4"));
        assertTrue(usage.getMessage().startsWith("usage: paxos:member add ID"), usage.getMessage());
    }
}
