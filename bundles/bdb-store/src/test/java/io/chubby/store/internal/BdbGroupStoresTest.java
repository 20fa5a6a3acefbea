package io.chubby.store.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sleepycat.je.Environment;
import com.sleepycat.je.EnvironmentConfig;
import io.chubby.api.ChubbyException;
import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import io.chubby.spi.LogStores;
import io.chubby.spi.StateStore;
import io.chubby.spi.StateStores;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every Paxos group's log and state in one environment: {@link LogStores} and {@link StateStores}. */
class BdbGroupStoresTest {
    private static final String FIXTURE = "/env-83e3546/je/00000000.jdb";

    @TempDir
    Path dir;

    @Test
    void fourGroupsInOneBatchCostOneFsync() {
        try (BdbStore store = BdbStore.open(dir)) {
            LogStores logs = store.logStores();
            Map<Integer, LogBatch> batches = new LinkedHashMap<>();
            for (int g = 0; g < 4; g++) {
                batches.put(g, new LogBatch().putMeta("promised", bytes("b" + g))
                        .putEntry(1, bytes("g" + g + "-1")).putEntry(2, bytes("g" + g + "-2")).sync(true));
            }
            logs.writeAll(Map.of(1, new LogBatch().sync(false))); // opens group 1 first: no fsync asked
            long before = store.fsyncCount();

            logs.writeAll(batches);

            assertEquals(before + 1, store.fsyncCount());
            for (int g = 0; g < 4; g++) {
                LogStore log = logs.group(g);
                assertEquals(1, log.firstIndex());
                assertEquals(2, log.lastIndex());
                assertArrayEquals(bytes("g" + g + "-2"), log.entry(2));
                assertArrayEquals(bytes("b" + g), log.meta("promised"));
            }
            assertSame(store.logStore(), logs.group(0));
        }
    }

    @Test
    void unsyncedBatchesOfSeveralGroupsAreVisibleWithoutAnFsync() {
        try (BdbStore store = BdbStore.open(dir)) {
            LogStores logs = store.logStores();
            logs.group(2);
            logs.group(3);
            long before = store.fsyncCount();
            logs.writeAll(Map.of(2, new LogBatch().putEntry(7, bytes("x")), 3, new LogBatch().putEntry(9, bytes("y"))));
            assertEquals(before, store.fsyncCount());
            assertArrayEquals(bytes("x"), logs.group(2).entry(7));
            assertEquals(9, logs.group(3).lastIndex());
            assertEquals(0, logs.group(0).lastIndex());
        }
    }

    @Test
    void aRefusedBatchWritesNoGroup() {
        try (BdbStore store = BdbStore.open(dir)) {
            LogStores logs = store.logStores();
            Map<Integer, LogBatch> batches = new LinkedHashMap<>();
            batches.put(1, new LogBatch().putEntry(1, bytes("ok")));
            batches.put(2, new LogBatch().putEntry(0, bytes("index 0 is not an entry")));
            assertThrows(ChubbyException.class, () -> logs.writeAll(batches));
            assertEquals(0, logs.group(1).lastIndex());
            assertThrows(IllegalArgumentException.class, () -> logs.group(-1));
            assertThrows(IllegalArgumentException.class, () -> logs.writeAll(Map.of(4096, new LogBatch())));
        }
    }

    @Test
    void groupsKeepTheirOwnLogsThroughDeletesAndCompaction() {
        try (BdbStore store = BdbStore.open(dir)) {
            LogStores logs = store.logStores();
            Map<Integer, LogBatch> batches = new LinkedHashMap<>();
            for (int g = 1; g <= 2; g++) {
                LogBatch b = new LogBatch();
                for (long i = 1; i <= 10; i++) {
                    b.putEntry(i, bytes(g + ":" + i));
                }
                batches.put(g, b);
            }
            logs.writeAll(batches);
            logs.writeAll(Map.of(1, new LogBatch().deleteFrom(6).putEntry(6, bytes("new"))));
            logs.group(2).truncateBefore(4);

            assertEquals(1, logs.group(1).firstIndex());
            assertEquals(6, logs.group(1).lastIndex());
            assertArrayEquals(bytes("new"), logs.group(1).entry(6));
            assertEquals(4, logs.group(2).firstIndex());
            assertEquals(10, logs.group(2).lastIndex());
        }
    }

    @Test
    void anEnvironmentWrittenBeforeGroupsOpensAsGroupZeroUnchanged() throws IOException {
        Path je = Files.createDirectories(dir.resolve(BdbStore.ENV_DIR));
        try (InputStream in = BdbGroupStoresTest.class.getResourceAsStream(FIXTURE)) {
            Files.copy(in, je.resolve("00000000.jdb"));
        }
        try (BdbStore store = BdbStore.open(dir)) {
            for (LogStore log : List.of(store.logStore(), store.logStores().group(0))) {
                assertEquals(1, log.firstIndex());
                assertEquals(5, log.lastIndex());
                assertArrayEquals(bytes("entry-3"), log.entry(3));
                assertArrayEquals(bytes("ballot-7"), log.meta("promised"));
            }
            for (StateStore state : List.of(store.stateStore(), store.stateStores().group(0))) {
                assertEquals(5, state.appliedIndex());
                assertEquals(0x1234_5678_9abc_def0L, state.checksum());
                assertEquals(List.of("meta", "nodes"), state.tables());
                assertArrayEquals(bytes("node-b"), state.get("nodes", bytes("/b")));
            }
            StateStore g1 = store.stateStores().group(1);
            assertEquals(0, g1.appliedIndex());
            assertEquals(List.of(), g1.tables());
            assertEquals(0, store.logStores().group(1).lastIndex());
            g1.commit(1, 11, List.of(new StateStore.Mutation("nodes", bytes("/c"), bytes("node-c"))));
            store.logStores().writeAll(Map.of(1, new LogBatch().putEntry(1, bytes("g1")).sync(true)));
        }
        assertEquals(List.of("g1.log.entries", "g1.log.meta", "g1.state.meta", "g1.state.table.nodes",
                "log.entries", "log.meta", "state.meta", "state.table.meta", "state.table.nodes"), databaseNames());
        try (BdbStore store = BdbStore.open(dir)) {
            assertEquals(List.of("meta", "nodes"), store.stateStore().tables());
            assertNull(store.stateStore().get("nodes", bytes("/c")));
            assertEquals(5, store.lastIndex());
            assertArrayEquals(bytes("node-c"), store.stateStores().group(1).get("nodes", bytes("/c")));
            assertEquals(1, store.logStores().group(1).lastIndex());
        }
    }

    @Test
    void replaceAllOfOneGroupLeavesTheOthersIntact() {
        try (BdbStore store = BdbStore.open(dir)) {
            StateStores states = store.stateStores();
            for (int g = 0; g <= 2; g++) {
                states.group(g).commit(10 + g, 100 + g, List.of(
                        new StateStore.Mutation("nodes", bytes("/n" + g), bytes("v" + g)),
                        new StateStore.Mutation("meta", bytes("group"), bytes(Integer.toString(g)))));
            }

            states.group(2).replaceAll(50, 500, records(new StateStore.Record("nodes", bytes("/snap"), bytes("s"))));

            StateStore g2 = states.group(2);
            assertEquals(50, g2.appliedIndex());
            assertEquals(500, g2.checksum());
            assertEquals(List.of("nodes"), g2.tables());
            assertNull(g2.get("nodes", bytes("/n2")));
            assertArrayEquals(bytes("s"), g2.get("nodes", bytes("/snap")));
            for (int g = 0; g <= 1; g++) {
                StateStore other = states.group(g);
                assertEquals(10 + g, other.appliedIndex());
                assertEquals(100 + g, other.checksum());
                assertEquals(List.of("meta", "nodes"), other.tables());
                assertArrayEquals(bytes("v" + g), other.get("nodes", bytes("/n" + g)));
                assertNull(other.get("nodes", bytes("/snap")));
            }
        }
        try (BdbStore reopened = BdbStore.open(dir)) {
            assertArrayEquals(bytes("v1"), reopened.stateStores().group(1).get("nodes", bytes("/n1")));
            assertEquals(50, reopened.stateStores().group(2).appliedIndex());
            assertFalse(reopened.stateStore().tables().isEmpty());
            assertTrue(reopened.stateStores().group(3).tables().isEmpty());
        }
    }

    private List<String> databaseNames() {
        EnvironmentConfig c = new EnvironmentConfig();
        c.setReadOnly(true);
        Environment env = new Environment(dir.resolve(BdbStore.ENV_DIR).toFile(), c);
        try {
            List<String> names = new ArrayList<>(env.getDatabaseNames());
            names.sort(null);
            return names;
        } finally {
            env.close();
        }
    }

    private static Iterator<StateStore.Record> records(StateStore.Record... records) {
        return List.of(records).iterator();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
