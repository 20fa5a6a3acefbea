package io.chubby.store.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import io.chubby.spi.LogStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link LogStores} service component, activated as SCR does (its constructor, given the
 * store component's {@code LogStore} service) over a real JE environment.
 */
class LogStoresComponentTest {
    @TempDir
    Path dir;

    @Test
    void groupZeroIsTheStoresOwnLog() {
        try (BdbStore store = BdbStore.open(dir)) {
            store.write(new LogBatch().putMeta("promised", bytes("b1")).putEntry(1, bytes("plain")).sync(true));
            LogStores logs = new LogStoresComponent(store);

            LogStore g0 = logs.group(0);
            assertSame(store.logStore(), g0);
            assertArrayEquals(bytes("plain"), g0.entry(1));
            assertArrayEquals(bytes("b1"), g0.meta("promised"));

            logs.writeAll(Map.of(0, new LogBatch().putEntry(2, bytes("through the view"))));
            assertEquals(2, store.lastIndex());
            assertArrayEquals(bytes("through the view"), store.entry(2));
        }
    }

    @Test
    void eachGroupHasALogOfItsOwn() {
        try (BdbStore store = BdbStore.open(dir)) {
            LogStores logs = new LogStoresComponent(store);
            Map<Integer, LogBatch> batches = new LinkedHashMap<>();
            for (int g = 1; g <= 3; g++) {
                batches.put(g, new LogBatch().putMeta("promised", bytes("b" + g)).putEntry(g, bytes("g" + g)));
            }
            logs.writeAll(batches);

            for (int g = 1; g <= 3; g++) {
                LogStore log = logs.group(g);
                assertSame(log, logs.group(g), "one view per group");
                assertNotSame(store.logStore(), log);
                assertEquals(g, log.firstIndex());
                assertEquals(g, log.lastIndex());
                assertArrayEquals(bytes("g" + g), log.entry(g));
                assertArrayEquals(bytes("b" + g), log.meta("promised"));
            }
            assertNotSame(logs.group(1), logs.group(2));
            assertNull(logs.group(2).entry(1), "group 1's entry is not group 2's");
            assertEquals(0, store.lastIndex(), "nothing written to group 0");
            assertNull(store.meta("promised"));
            assertThrows(IllegalArgumentException.class, () -> logs.group(-1));
            assertThrows(IllegalArgumentException.class, () -> logs.group(4096));
        }
    }

    @Test
    void aViewDeactivatedAloneLeavesTheStoreAndItsGroupsOpen() {
        try (BdbStore store = BdbStore.open(dir)) {
            LogStores first = new LogStoresComponent(store);
            LogStore g4 = first.group(4);
            g4.write(new LogBatch().putEntry(1, bytes("before")));
            // SCR drops the view (it has nothing of its own to close); the store stays active.
            LogStores second = new LogStoresComponent(store);

            assertSame(g4, second.group(4), "the groups are the store's, not the view's");
            second.writeAll(Map.of(4, new LogBatch().putEntry(2, bytes("after"))));
            assertArrayEquals(bytes("before"), g4.entry(1));
            assertArrayEquals(bytes("after"), g4.entry(2));
        }
    }

    @Test
    void whenTheStoreIsDeactivatedItsGroupsAreClosedAndKeptOnDisk() {
        BdbStore store = BdbStore.open(dir);
        LogStores logs = new LogStoresComponent(store);
        logs.writeAll(Map.of(0, new LogBatch().putEntry(1, bytes("zero")),
                5, new LogBatch().putEntry(1, bytes("five")).sync(true)));
        LogStore g5 = logs.group(5);
        store.close();

        assertThrows(IllegalStateException.class, () -> g5.entry(1), "its databases are closed");
        assertThrows(IllegalStateException.class, () -> logs.group(6), "no group opens in a closed environment");
        assertThrows(IllegalStateException.class,
                () -> logs.writeAll(Map.of(5, new LogBatch().putEntry(2, bytes("late")))));

        try (BdbStore reopened = BdbStore.open(dir)) {
            LogStores again = new LogStoresComponent(reopened);
            assertArrayEquals(bytes("zero"), again.group(0).entry(1));
            assertArrayEquals(bytes("five"), again.group(5).entry(1));
            assertEquals(1, again.group(5).lastIndex(), "the write after deactivation left nothing");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
