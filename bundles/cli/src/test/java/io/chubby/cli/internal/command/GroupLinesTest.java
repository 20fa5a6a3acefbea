package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.client.ReplicaStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GroupLinesTest {
    private static ReplicaStatus replica(int id, long applied, long checksum, List<ReplicaStatus.Group> groups) {
        return new ReplicaStatus(id, id == 1 ? "master" : "replica", 1, 5, applied, applied, checksum, 1, id == 1,
                0, 1, "127.0.0.1:700" + id, 100 + id, Map.of(), groups);
    }

    private static ReplicaStatus.Group group(int g, int master, long applied, long checksum) {
        return new ReplicaStatus.Group(g, "replica", master, 3, applied, applied, checksum, 1, false, 2, 7);
    }

    @Test
    void oneLinePerOpenGroupUnderTheReplica() {
        ReplicaStatus s = replica(2, 10, 0xab, List.of(group(0, 1, 10, 0xab), group(1, 0, 4, 0xcd)));
        assertEquals(List.of(
                "  group=0 role=replica master=1 epoch=3 applied=10 checksum=00000000000000ab sessions=2 nodes=7",
                "  group=1 role=replica master=- epoch=3 applied=4 checksum=00000000000000cd sessions=2 nodes=7"),
                GroupLines.of(s));
        assertEquals(List.of(), GroupLines.of(replica(1, 10, 0xab, List.of())), "a cell of one partition");
    }

    @Test
    void checksumsThatDifferAtTheSameAppliedIndexAreNamedPerGroup() {
        List<Optional<ReplicaStatus>> answers = List.of(
                Optional.of(replica(1, 10, 0xab, List.of(group(0, 1, 10, 0xab), group(1, 2, 6, 0x11)))),
                Optional.empty(),
                Optional.of(replica(3, 10, 0xab, List.of(group(0, 1, 10, 0xab), group(1, 2, 6, 0x12)))),
                Optional.of(replica(4, 10, 0xab, List.of(group(0, 1, 10, 0xab), group(1, 2, 5, 0x99)))));
        assertEquals(List.of("checksums differ: group=1 applied=6 replica 1 0000000000000011, replica 3 "
                + "0000000000000012"), GroupLines.disagreements(answers), "a lagging replica (applied 5) is no "
                + "disagreement");
    }

    @Test
    void aCellOfOnePartitionIsCheckedOnTheReplicaLines() {
        assertEquals(List.of("checksums differ: group=0 applied=10 replica 1 00000000000000ab, replica 2 "
                + "00000000000000ac"), GroupLines.disagreements(List.of(Optional.of(replica(1, 10, 0xab, List.of())),
                Optional.of(replica(2, 10, 0xac, List.of())), Optional.of(replica(3, 9, 0xff, List.of())))));
        assertEquals(List.of(), GroupLines.disagreements(List.of(Optional.of(replica(1, 10, 0xab, List.of())),
                Optional.of(replica(2, 10, 0xab, List.of())))));
    }
}
