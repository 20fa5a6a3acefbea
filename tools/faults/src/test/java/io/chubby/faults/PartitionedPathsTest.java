package io.chubby.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.api.PartitionHash;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PartitionedPathsTest {

    @Test
    void fourDirectoriesReachFourPartitions() {
        List<String> dirs = PartitionedPaths.directories(4, 4);
        assertEquals(4, dirs.size());
        Set<Integer> partitions = dirs.stream()
                .map(d -> (int) (PartitionHash.slotOf(d.substring("/ls/local".length())) % 4))
                .collect(Collectors.toSet());
        assertEquals(Set.of(0, 1, 2, 3), partitions);
        for (String d : dirs) {
            assertEquals(PartitionHash.slotOf(d.substring("/ls/local".length())) % 4,
                    PartitionedPaths.partitionOfChildren(d, 4), d);
        }
    }

    @Test
    void theChoiceIsAFunctionOfN() {
        assertEquals(PartitionedPaths.directories(4, 4), PartitionedPaths.directories(4, 4));
        assertEquals(PartitionedPaths.directories(4, 2), PartitionedPaths.directories(4, 4).subList(0, 2));
    }

    @Test
    void moreDirectoriesThanPartitionsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PartitionedPaths.directories(2, 3));
        assertThrows(IllegalArgumentException.class, () -> PartitionedPaths.directories(4, 0));
    }

    @Test
    void filesOfADirectory() {
        assertEquals("/ls/local/faults-d7/register", PartitionedPaths.register("/ls/local/faults-d7"));
        assertEquals("/ls/local/faults-d0/lock", PartitionedPaths.lock(List.of("/ls/local/faults-d0", "/x")));
    }
}
