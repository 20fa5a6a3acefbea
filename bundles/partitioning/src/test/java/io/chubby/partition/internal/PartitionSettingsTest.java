package io.chubby.partition.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartitionSettingsTest {

    @Test
    void defaultsToOnePartitionOnTheReferenceHash() {
        assertEquals(new PartitionSettings(1, "fnv1a64-v1"), PartitionSettings.from(Map.of()));
    }

    @Test
    void readsNumbersAndTheTextOfACfgFile() {
        assertEquals(4, PartitionSettings.from(Map.of("partition.count", 4)).count());
        assertEquals(8, PartitionSettings.from(Map.of("partition.count", 8L)).count());
        assertEquals(16, PartitionSettings.from(Map.of("partition.count", " 16 ",
                "partition.hash", "fnv1a64-v1")).count());
    }

    @Test
    void aBadCountNamesTheKeyTheValueAndTheRange() {
        for (Object bad : new Object[] {0, -3, "4097", 5000L}) {
            ChubbyException e = assertThrows(ChubbyException.class,
                    () -> PartitionSettings.from(Map.of("partition.count", bad)));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains("partition.count=" + bad + ": the number of partitions must be 1..4096"),
                    e.getMessage());
        }
        ChubbyException text = assertThrows(ChubbyException.class,
                () -> PartitionSettings.from(Map.of("partition.count", "four")));
        assertTrue(text.getMessage().contains("partition.count=four: not a whole number"), text.getMessage());
    }

    @Test
    void anUnknownHashIsRefusedNamingTheKnownOne() {
        ChubbyException e = assertThrows(ChubbyException.class,
                () -> PartitionSettings.from(Map.of("partition.count", 4, "partition.hash", "murmur3")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("partition.hash=murmur3: unknown hash; the only hash is fnv1a64-v1"),
                e.getMessage());
    }
}
