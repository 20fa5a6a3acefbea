package io.chubby.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.chubby.spi.LogBatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryLogStoreTest {
    private final MemoryLogStore store = new MemoryLogStore();

    private static byte[] b(int v) {
        return new byte[] {(byte) v};
    }

    private static LogBatch batch(long deleteFrom, boolean sync, long... indexes) {
        LogBatch batch = new LogBatch().putMeta("promised", b(9)).deleteFrom(deleteFrom).sync(sync);
        for (long i : indexes) {
            batch.putEntry(i, b((int) i));
        }
        return batch;
    }

    @Test
    void batchesApplyWholeAndCountSyncs() {
        List<Long> synced = new ArrayList<>();
        store.onSyncedWrite(synced::add);
        store.write(batch(0, false, 1, 2, 3));
        store.write(batch(0, true, 4));
        assertEquals(1, store.firstIndex());
        assertEquals(4, store.lastIndex());
        assertArrayEquals(b(9), store.meta("promised"));
        assertNull(store.meta("other"));
        assertEquals(1, store.syncedWrites());
        assertEquals(4, store.entriesWritten());
        assertEquals(List.of(4L), synced);
    }

    @Test
    void aBatchMayReplaceTheTailAndCompactionDropsTheHead() {
        store.write(batch(0, true, 1, 2, 3, 4));
        store.write(batch(3, true, 3)); // a new master overwrote from 3 on
        assertEquals(3, store.lastIndex());
        store.truncateBefore(2);
        assertNull(store.entry(1));
        assertEquals(2, store.firstIndex());
        List<Long> seen = new ArrayList<>();
        store.scan(1, 10, (i, v) -> seen.add(i));
        assertEquals(List.of(2L, 3L), seen);
        List<Long> first = new ArrayList<>();
        store.scan(1, 10, (i, v) -> first.add(i) && false);
        assertEquals(List.of(2L), first, "a visitor returning false stops the scan");
    }
}
