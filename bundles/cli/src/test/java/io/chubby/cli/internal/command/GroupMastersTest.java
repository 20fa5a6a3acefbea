package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.ReplicaStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Who masters each group, from the replicas' Status answers (pure). */
class GroupMastersTest {
    private static ReplicaStatus.Group group(int g, int master, long epoch) {
        return new ReplicaStatus.Group(g, "replica", master, epoch, 0, 0, 0, 0, false, 0, 0);
    }

    private static ReplicaStatus replica(int id, String address, ReplicaStatus.Group... groups) {
        return new ReplicaStatus(id, "replica", 0, 0, 0, 0, 0, 0, false, 0, 0, address, 0, Map.of(), List.of(groups));
    }

    @Test
    void eachGroupsMasterIsTheOneNamedAtTheHighestEpochWithTheAddressItsReplicaGives() {
        List<String> addresses = List.of("a:1", "a:2", "a:3");
        List<Optional<ReplicaStatus>> answers = List.of(
                Optional.of(replica(1, "h:1", group(0, 2, 5), group(1, 3, 7), group(2, 0, 9))),
                Optional.of(replica(2, "", group(0, 1, 4), group(1, 1, 8), group(2, 0, 9))),
                Optional.empty());
        List<GroupMasters.Located> groups = GroupMasters.of(addresses, answers);
        assertEquals(List.of(new GroupMasters.Located(0, 2, "a:2", 5), new GroupMasters.Located(1, 1, "h:1", 8),
                new GroupMasters.Located(2, 0, null, 9)), groups, "replica 2 gives no address: where it answered");
        assertEquals("group=1 master=1 address=h:1 epoch=8", GroupMasters.master(1, groups).line());
        ChubbyException none = assertThrows(ChubbyException.class, () -> GroupMasters.master(2, groups));
        assertEquals(ErrorCode.CELL_UNAVAILABLE, none.code());
        assertTrue(GroupMasters.of(addresses, List.of(Optional.of(replica(1, "h:1")))).isEmpty(), "one partition");
    }
}
