package io.chubby.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.api.NodePath;
import io.chubby.api.PartitionHash;
import org.junit.jupiter.api.Test;

/** The default methods of {@link Partitioner}: slot mod N for children, partition 0 for the root. */
class PartitionerDefaultsTest {

    private static Partitioner fnv(int partitions) {
        return new Partitioner() {
            @Override
            public int partitions() {
                return partitions;
            }

            @Override
            public String hashName() {
                return PartitionHash.NAME;
            }

            @Override
            public int slotOfChildren(NodePath directory) {
                return PartitionHash.slotOf(directory);
            }
        };
    }

    @Test
    void aNodeLivesWhereItsParentsChildrenLive() {
        Partitioner four = fnv(4);
        // slot("/faults-d0") = 3886, slot("/faults-d1") = 225 (PartitionHashTest's vectors).
        assertEquals(2, four.partitionOfChildren(NodePath.parse("/ls/local/faults-d0")));
        assertEquals(2, four.partitionOf(NodePath.parse("/ls/local/faults-d0/register")));
        assertEquals(1, four.partitionOf(NodePath.parse("/ls/local/faults-d1/register")));
        // The root's children follow slot("/") = 2558; the root itself is on partition 0.
        assertEquals(2558 % 4, four.partitionOf(NodePath.parse("/ls/local/faults-d0")));
        assertEquals(0, four.partitionOf(NodePath.root("local")));
    }

    @Test
    void onePartitionPutsEveryNodeOnGroupZero() {
        Partitioner one = fnv(1);
        assertEquals(0, one.partitionOf(NodePath.parse("/ls/local/home/alice/x")));
        assertEquals(0, one.partitionOf(NodePath.parse("/ls/local/a")));
        assertEquals(0, one.partitionOf(NodePath.root("local")));
    }
}
