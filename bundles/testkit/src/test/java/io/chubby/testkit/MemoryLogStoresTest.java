package io.chubby.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.spi.LogBatch;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryLogStoresTest {
    private final MemoryLogStores stores = new MemoryLogStores();

    private static byte[] b(int v) {
        return new byte[] {(byte) v};
    }

    @Test
    void writeAllOfFourGroupsIsOneFsyncAndEachGroupSeesOnlyItsBatch() {
        stores.writeAll(Map.of(
                0, new LogBatch().putEntry(1, b(10)).sync(true),
                1, new LogBatch().putEntry(1, b(11)).putMeta("promised", b(1)).sync(true),
                2, new LogBatch().putEntry(5, b(12)),
                3, new LogBatch().putEntry(1, b(13)).sync(true)));
        assertEquals(1, stores.writeAllCalls());
        assertEquals(4, stores.batchesWritten());
        assertEquals(1, stores.syncedWrites(), "one fsync for the four groups");
        assertArrayEquals(b(10), stores.group(0).entry(1));
        assertArrayEquals(b(11), stores.group(1).entry(1));
        assertArrayEquals(b(1), stores.group(1).meta("promised"));
        assertNull(stores.group(0).meta("promised"));
        assertEquals(5, stores.group(2).firstIndex());
        assertNull(stores.group(2).entry(1));
        assertArrayEquals(b(13), stores.group(3).entry(1));
        assertEquals(4, stores.group(0).entriesWritten() + stores.group(1).entriesWritten()
                + stores.group(2).entriesWritten() + stores.group(3).entriesWritten());
    }

    @Test
    void unsyncedWriteAllCountsNoFsyncAndGroupViewsCountTheirOwn() {
        stores.writeAll(Map.of(1, new LogBatch().putEntry(1, b(1)).deleteFrom(1)));
        assertEquals(0, stores.syncedWrites());
        stores.group(1).write(new LogBatch().putEntry(2, b(2)).sync(true));
        assertEquals(1, stores.syncedWrites());
        assertEquals(2, stores.group(1).lastIndex());
        assertSame(stores.group(1), stores.group(1), "one store per group, kept across calls");
    }

    @Test
    void groupOutOfRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> stores.group(-1));
        assertThrows(IllegalArgumentException.class, () -> stores.group(4096));
    }
}
