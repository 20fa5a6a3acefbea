package io.chubby.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.chubby.spi.StateStore.Mutation;
import io.chubby.spi.StateStore.Record;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryStateStoreTest {
    private final MemoryStateStore store = new MemoryStateStore();

    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    private List<Integer> scan(String table, byte[] from, byte[] to) {
        List<Integer> keys = new ArrayList<>();
        store.scan(table, from, to, (k, v) -> keys.add(k[0] & 0xff));
        return keys;
    }

    @Test
    void commitAppliesPutsAndDeletesWithIndexAndChecksum() {
        store.commit(3, 42, List.of(new Mutation("node", b(1), b(10)), new Mutation("node", b(2), b(20)),
                new Mutation("meta", b(9), b(90))));
        store.commit(4, 43, List.of(new Mutation("node", b(1), null), new Mutation("meta", b(9), null)));
        assertNull(store.get("node", b(1)));
        assertArrayEquals(b(20), store.get("node", b(2)));
        assertNull(store.get("nothing", b(2)));
        assertEquals(4, store.appliedIndex());
        assertEquals(43, store.checksum());
        assertEquals(List.of("node"), store.tables(), "only tables that hold data");
        assertEquals(2, store.commits());
    }

    @Test
    void scanIsInUnsignedKeyOrderOverAHalfOpenRange() {
        store.commit(1, 0, List.of(new Mutation("t", b(0xff), b(1)), new Mutation("t", b(0x01), b(1)),
                new Mutation("t", b(0x80), b(1)), new Mutation("t", b(0x7f), b(1))));
        assertEquals(List.of(0x01, 0x7f, 0x80, 0xff), scan("t", null, null));
        assertEquals(List.of(0x7f, 0x80), scan("t", b(0x7f), b(0xff)));
        assertEquals(List.of(), scan("other", null, null));
        List<Integer> first = new ArrayList<>();
        store.scan("t", null, null, (k, v) -> first.add(k[0] & 0xff) && false);
        assertEquals(List.of(0x01), first, "a visitor returning false stops the scan");
    }

    @Test
    void replaceAllSwapsEverything() {
        store.commit(5, 1, List.of(new Mutation("old", b(1), b(1))));
        store.replaceAll(9, 7, List.of(new Record("new", b(2), b(3))).iterator());
        assertEquals(List.of("new"), store.tables());
        assertArrayEquals(b(3), store.get("new", b(2)));
        assertEquals(9, store.appliedIndex());
        assertEquals(7, store.checksum());
    }

    @Test
    void arraysAreNotSharedWithCallers() {
        byte[] key = b(1);
        byte[] value = b(2);
        store.commit(1, 0, List.of(new Mutation("t", key, value)));
        value[0] = 99;
        key[0] = 98;
        assertArrayEquals(b(2), store.get("t", b(1)));
        store.get("t", b(1))[0] = 97;
        assertArrayEquals(b(2), store.get("t", b(1)));
    }

    @Test
    void syncIsCounted() {
        store.sync();
        assertEquals(1, store.syncs());
    }

    @org.junit.jupiter.api.Test
    void reportsTheBackupItWasRestoredFromOnlyWhenTold() {
        MemoryStateStore s = new MemoryStateStore();
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Optional.empty(), s.restoredFrom());
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Optional.of("restored from backup T"),
                s.restoredFrom("restored from backup T").restoredFrom());
    }
}
