package io.chubby.store.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.spi.StateStore;
import io.chubby.spi.StateStore.Mutation;
import io.chubby.spi.StateStore.Record;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BdbStateStoreTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static Mutation put(String table, String k, String v) {
        return new Mutation(table, b(k), b(v));
    }

    private static List<String> keys(StateStore s, String table, String from, String to) {
        List<String> out = new ArrayList<>();
        s.scan(table, from == null ? null : b(from), to == null ? null : b(to), (k, v) -> {
            out.add(new String(k, UTF_8));
            return true;
        });
        return out;
    }

    @Test
    void freshStoreIsEmpty() {
        try (BdbStore s = BdbStore.open(dir)) {
            assertEquals(0, s.appliedIndex());
            assertEquals(0, s.checksum());
            assertEquals(List.of(), s.tables());
            assertNull(s.get("nodes", b("x")));
            assertEquals(List.of(), keys(s, "nodes", null, null));
        }
    }

    @Test
    void commitRecordsMutationsAppliedIndexAndChecksumTogetherAcrossReopen() {
        try (BdbStore s = BdbStore.open(dir)) {
            s.commit(1, 111, List.of(put("nodes", "a", "1"), put("sessions", "s1", "x")));
            s.commit(2, 222, List.of(put("nodes", "b", "2"), new Mutation("sessions", b("s1"), null)));
            assertEquals(2, s.appliedIndex());
            assertEquals(222, s.checksum());
            assertNull(s.get("sessions", b("s1")));
        }
        try (BdbStore s = BdbStore.open(dir)) {
            assertEquals(2, s.appliedIndex());
            assertEquals(222, s.checksum());
            assertArrayEquals(b("1"), s.get("nodes", b("a")));
            assertArrayEquals(b("2"), s.get("nodes", b("b")));
            assertNull(s.get("sessions", b("s1")));
            // "sessions" exists but is empty after the delete: only tables holding data are listed.
            assertEquals(List.of("nodes"), s.tables());
        }
    }

    @Test
    void tablesAreListedAfterReopen() {
        try (BdbStore s = BdbStore.open(dir)) {
            s.commit(1, 0, List.of(put("nodes", "a", "1"), put("locks", "l", "x"), put("sessions", "s", "y")));
        }
        try (BdbStore s = BdbStore.open(dir)) {
            assertEquals(List.of("locks", "nodes", "sessions"), s.tables());
        }
    }

    @Test
    void deleteOfAMissingKeyOrTableIsANoOp() {
        try (BdbStore s = BdbStore.open(dir)) {
            s.commit(1, 1, List.of(new Mutation("nowhere", b("k"), null), new Mutation("nodes", b("k"), null)));
            assertEquals(1, s.appliedIndex());
            assertEquals(List.of(), s.tables());
        }
    }

    @Test
    void commitThatFailsMidwayChangesNothing() {
        try (BdbStore s = BdbStore.open(dir)) {
            s.commit(1, 10, List.of(put("nodes", "a", "old")));
            // The store walks the list to validate, to create tables, then inside the transaction;
            // this list fails on the transaction pass after its first mutation has been written.
            List<Mutation> failing = new FailingOnThirdPass(List.of(put("nodes", "a", "new"), put("nodes", "b", "new")));
            assertThrows(IllegalStateException.class, () -> s.commit(2, 20, failing));
            assertEquals(1, s.appliedIndex());
            assertEquals(10, s.checksum());
            assertArrayEquals(b("old"), s.get("nodes", b("a")));
            assertNull(s.get("nodes", b("b")));
        }
        try (BdbStore s = BdbStore.open(dir)) {
            assertEquals(1, s.appliedIndex());
            assertArrayEquals(b("old"), s.get("nodes", b("a")));
        }
    }

    @Test
    void scanHonoursBoundsUnsignedOrderAndEarlyStop() {
        try (BdbStore s = BdbStore.open(dir)) {
            List<Mutation> ms = new ArrayList<>();
            for (String k : List.of("b", "a", "c", "d", "e")) {
                ms.add(put("t", k, "v" + k));
            }
            ms.add(new Mutation("t", new byte[] {(byte) 0xff}, b("high"))); // unsigned: after "e"
            s.commit(1, 0, ms);
            assertEquals(List.of("a", "b", "c", "d", "e", "\ufffd"), keys(s, "t", null, null));
            assertEquals(List.of("b", "c"), keys(s, "t", "b", "d"));
            assertEquals(List.of("a", "b"), keys(s, "t", null, "c"));
            assertEquals(List.of("d", "e", "\ufffd"), keys(s, "t", "d", null));
            List<String> seen = new ArrayList<>();
            s.scan("t", null, null, (k, v) -> {
                seen.add(new String(k, UTF_8));
                return seen.size() < 2;
            });
            assertEquals(List.of("a", "b"), seen);
        }
    }

    @Test
    void scanCrossesPagesWithoutSkippingOrRepeatingKeys() {
        try (BdbStore s = BdbStore.open(dir)) {
            List<Mutation> ms = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                ms.add(put("t", String.format("k%04d", i), "v"));
                ms.add(put("t", String.format("k%04d", i) + "\0", "v")); // the successor of the key before it
            }
            s.commit(1, 0, ms);
            List<String> all = keys(s, "t", null, null); // 600 keys: three scan pages
            assertEquals(600, all.size());
            assertEquals(600, new java.util.HashSet<>(all).size());
            assertEquals(300, keys(s, "t", "k0100", "k0250").size());
        }
    }

    @Test
    void replaceAllSwapsEveryTableAtomically() {
        try (BdbStore s = BdbStore.open(dir)) {
            s.commit(5, 55, List.of(put("nodes", "a", "1"), put("nodes", "b", "2"), put("locks", "l", "x")));
            s.replaceAll(100, 1000, List.of(
                    new Record("nodes", b("z"), b("26")),
                    new Record("sessions", b("s9"), b("9"))).iterator());
            assertEquals(100, s.appliedIndex());
            assertEquals(1000, s.checksum());
            assertEquals(List.of("z"), keys(s, "nodes", null, null));
            assertEquals(List.of("nodes", "sessions"), s.tables());
            assertNull(s.get("locks", b("l")));

            // A snapshot stream that breaks half way leaves the previous state untouched.
            Iterator<Record> broken = new Iterator<>() {
                int n;

                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public Record next() {
                    if (n++ == 2) {
                        throw new NoSuchElementException("stream cut");
                    }
                    return new Record("nodes", b("n" + n), b("v"));
                }
            };
            assertThrows(NoSuchElementException.class, () -> s.replaceAll(200, 2000, broken));
            assertEquals(100, s.appliedIndex());
            assertEquals(List.of("z"), keys(s, "nodes", null, null));
        }
        try (BdbStore s = BdbStore.open(dir)) {
            assertEquals(100, s.appliedIndex());
            assertEquals(1000, s.checksum());
            assertEquals(List.of("nodes", "sessions"), s.tables());
            assertArrayEquals(b("9"), s.get("sessions", b("s9")));
        }
    }

    @Test
    void syncPutsNoSyncCommitsInTheFiles() {
        Path live = dir.resolve("live");
        try (BdbStore s = BdbStore.open(live)) {
            s.commit(7, 77, List.of(put("nodes", "a", "1")));
            s.sync();
            try (BdbStore recovered = BdbStore.open(StoreFiles.crashCopy(live, dir.resolve("crashed")))) {
                assertEquals(7, recovered.appliedIndex());
                assertEquals(77, recovered.checksum());
                assertArrayEquals(b("1"), recovered.get("nodes", b("a")));
            }
        }
    }

    /** A list whose iterator throws after one element on its third pass. */
    private static final class FailingOnThirdPass extends AbstractList<Mutation> {
        private final List<Mutation> items;
        private int passes;

        FailingOnThirdPass(List<Mutation> items) {
            this.items = items;
        }

        @Override
        public Mutation get(int i) {
            return items.get(i);
        }

        @Override
        public int size() {
            return items.size();
        }

        @Override
        public Iterator<Mutation> iterator() {
            Iterator<Mutation> it = items.iterator();
            if (++passes < 3) {
                return it;
            }
            return new Iterator<>() {
                int n;

                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public Mutation next() {
                    if (n++ == 1) {
                        throw new IllegalStateException("failure after the first write");
                    }
                    return it.next();
                }
            };
        }
    }
}
