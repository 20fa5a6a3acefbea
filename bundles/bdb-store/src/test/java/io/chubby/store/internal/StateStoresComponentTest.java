package io.chubby.store.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.spi.StateStore;
import io.chubby.spi.StateStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link StateStores} service component, activated as SCR does (its constructor, given the
 * store component's {@code StateStore} service) over a real JE environment.
 */
class StateStoresComponentTest {
    @TempDir
    Path dir;

    @Test
    void groupZeroIsTheStoresOwnState() {
        try (BdbStore store = BdbStore.open(dir)) {
            store.commit(7, 70, List.of(put("nodes", "/a", "plain")));
            StateStores states = new StateStoresComponent(store);

            StateStore g0 = states.group(0);
            assertSame(store.stateStore(), g0);
            assertEquals(7, g0.appliedIndex());
            assertEquals(70, g0.checksum());
            assertArrayEquals(bytes("plain"), g0.get("nodes", bytes("/a")));

            g0.commit(8, 80, List.of(put("nodes", "/b", "through the view")));
            assertEquals(8, store.appliedIndex());
            assertArrayEquals(bytes("through the view"), store.get("nodes", bytes("/b")));
        }
    }

    @Test
    void eachGroupHasAStateOfItsOwn() {
        try (BdbStore store = BdbStore.open(dir)) {
            StateStores states = new StateStoresComponent(store);
            for (int g = 1; g <= 3; g++) {
                states.group(g).commit(10 * g, 100 * g, List.of(put("nodes", "/n" + g, "v" + g)));
            }

            for (int g = 1; g <= 3; g++) {
                StateStore state = states.group(g);
                assertSame(state, states.group(g), "one view per group");
                assertNotSame(store.stateStore(), state);
                assertEquals(10 * g, state.appliedIndex());
                assertEquals(100 * g, state.checksum());
                assertEquals(List.of("nodes"), state.tables());
                assertArrayEquals(bytes("v" + g), state.get("nodes", bytes("/n" + g)));
            }
            assertNull(states.group(2).get("nodes", bytes("/n1")), "group 1's record is not group 2's");
            assertEquals(0, store.appliedIndex(), "nothing applied to group 0");
            assertEquals(List.of(), store.tables(), "group 0 sees no other group's tables");
            assertThrows(IllegalArgumentException.class, () -> states.group(-1));
            assertThrows(IllegalArgumentException.class, () -> states.group(4096));
        }
    }

    @Test
    void aViewDeactivatedAloneLeavesTheStoreAndItsGroupsOpen() {
        try (BdbStore store = BdbStore.open(dir)) {
            StateStore g4 = new StateStoresComponent(store).group(4);
            g4.commit(1, 11, List.of(put("nodes", "/x", "before")));
            // SCR drops the view (it has nothing of its own to close); the store stays active.
            StateStores second = new StateStoresComponent(store);

            assertSame(g4, second.group(4), "the groups are the store's, not the view's");
            second.group(4).commit(2, 22, List.of(put("nodes", "/y", "after")));
            assertArrayEquals(bytes("before"), g4.get("nodes", bytes("/x")));
            assertEquals(2, g4.appliedIndex());
        }
    }

    @Test
    void whenTheStoreIsDeactivatedItsGroupsAreClosedAndKeptOnDisk() {
        BdbStore store = BdbStore.open(dir);
        StateStores states = new StateStoresComponent(store);
        states.group(0).commit(3, 30, List.of(put("nodes", "/zero", "0")));
        StateStore g5 = states.group(5);
        g5.commit(4, 40, List.of(put("nodes", "/five", "5")));
        g5.sync();
        store.close();

        assertThrows(IllegalStateException.class, () -> g5.commit(5, 50, List.of(put("nodes", "/late", "x"))),
                "its databases are closed");
        assertThrows(IllegalStateException.class, () -> states.group(6), "no group opens in a closed environment");
        assertThrows(IllegalStateException.class, () -> states.group(0).commit(9, 90, List.of()));

        try (BdbStore reopened = BdbStore.open(dir)) {
            StateStores again = new StateStoresComponent(reopened);
            assertEquals(3, again.group(0).appliedIndex());
            assertArrayEquals(bytes("0"), again.group(0).get("nodes", bytes("/zero")));
            assertEquals(4, again.group(5).appliedIndex());
            assertArrayEquals(bytes("5"), again.group(5).get("nodes", bytes("/five")));
            assertNull(again.group(5).get("nodes", bytes("/late")), "the write after deactivation left nothing");
        }
    }

    private static StateStore.Mutation put(String table, String key, String value) {
        return new StateStore.Mutation(table, bytes(key), bytes(value));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
