package io.chubby.cell.internal.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.chubby.api.ErrorCode;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;

/**
 * Invariants the random-workload tests check after every applied command. {@link CellState#apply}
 * turns any exception into an INTERNAL result (so a bug cannot fork replicas); a test that let
 * those pass would pass with an apply that throws on every command, so an INTERNAL result fails
 * the test here. The lock checks are the safety properties of locks: at most one EXCLUSIVE holder
 * (or only SHARED holders) per lock, holders are open handles of their own sessions, and a node's
 * lock generation never decreases.
 */
final class StateChecks {
    /** node storage key -> {instance, lock generation} last seen. */
    private final TreeMap<byte[], long[]> generations = new TreeMap<>(Arrays::compareUnsigned);
    private int succeeded;
    private int checked;

    /** Checks one apply's outcome and the state it left. */
    void after(long index, CellState state, CellState.Applied applied) {
        checked++;
        if (applied.result() instanceof Result.Failed f) {
            if (f.code() == ErrorCode.INTERNAL) {
                fail("apply threw at index " + index + ": " + f.message());
            }
        } else {
            succeeded++;
        }
        locks(index, state);
        generations(index, state);
    }

    /** Commands that did not fail; a workload where none succeeds tests nothing. */
    int succeeded() {
        return succeeded;
    }

    int checked() {
        return checked;
    }

    private static void locks(long index, CellState state) {
        TreeMap<byte[], LockRecord> records = new TreeMap<>(Arrays::compareUnsigned);
        for (var rec : state.records()) {
            if (rec.table().equals(LockTable.LOCKS)) {
                records.put(rec.key(), LockRecord.decode(rec.value()));
            }
        }
        records.forEach((key, r) -> {
            String where = "index " + index + ", lock " + name(key) + ": ";
            long exclusive = r.holders().stream().filter(p -> p.mode() == LockRecord.EXCLUSIVE).count();
            assertTrue(exclusive == 0 || r.holders().size() == 1,
                    where + "an EXCLUSIVE holder shares the lock with others: " + r.holders());
            Set<Long> seen = new HashSet<>();
            for (LockRecord.Party p : r.holders()) {
                assertTrue(seen.add(p.handleId()), where + "handle " + p.handleId() + " holds it twice");
                HandleRecord h = state.handle(p.handleId());
                assertTrue(h != null, where + "holder handle " + p.handleId() + " is not open");
                assertEquals(h.sessionId(), p.sessionId(), where + "holder's session is not its handle's");
            }
            Node n = state.nodes.get(key);
            assertTrue(n != null && n.instance() == r.instance(), where + "record of a node instance that is gone");
            if (!r.holders().isEmpty()) {
                assertTrue(n.lockGeneration() > 0, where + "held with generation 0");
            }
        });
    }

    private void generations(long index, CellState state) {
        state.nodes.forEach((key, n) -> {
            long[] prev = generations.get(key);
            if (prev != null) {
                String where = "index " + index + ", node " + name(key) + ": ";
                assertTrue(n.instance() >= prev[0], where + "instance went back " + prev[0] + " -> " + n.instance());
                if (n.instance() == prev[0]) {
                    assertTrue(n.lockGeneration() >= prev[1],
                            where + "lock generation went back " + prev[1] + " -> " + n.lockGeneration());
                }
            }
            generations.put(key, new long[] {n.instance(), n.lockGeneration()});
        });
    }

    private static String name(byte[] storageKey) {
        StringBuilder b = new StringBuilder();
        for (byte x : storageKey) {
            b.append(x >= 32 && x < 127 ? (char) x : '.');
        }
        return b.toString();
    }

    /** The incremental checksum equals the sum over the stored records (what a restarted replica computes). */
    static void checksumMatchesRecords(long index, CellState state) {
        long sum = 0;
        for (var rec : state.records()) {
            sum += Hash64.record(rec.table(), rec.key(), rec.value());
        }
        assertEquals(sum, state.checksum(), "incremental checksum differs from the records' at index " + index);
    }
}
