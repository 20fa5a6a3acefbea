package io.chubby.sim.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.sim.check.LockModel.Acquire;
import io.chubby.sim.check.LockModel.ProtectedWrite;
import io.chubby.sim.check.LockModel.Release;
import io.chubby.sim.check.RegisterModel.Cas;
import io.chubby.sim.check.RegisterModel.Read;
import io.chubby.sim.check.RegisterModel.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The checker must accept linearizable histories and catch the classic anomalies. */
class LinearizabilityTest {
    static final RegisterModel REG = new RegisterModel();
    static final LockModel LOCK = new LockModel();
    static final long U = Operation.UNKNOWN;

    static Operation op(int c, long inv, long ret, Object in, Object out) {
        return new Operation(c, inv, ret, in, out);
    }

    @Test
    void concurrentWriteAndReadsEitherOrderIsFine() {
        List<Operation> h = List.of(
                op(0, 0, 10, new Write(1), null),
                op(1, 1, 4, new Read(), 1L),       // overlaps the write: may see it
                op(2, 2, 5, new Read(), null),     // overlaps the write: may not see it yet
                op(1, 11, 12, new Read(), 1L));
        assertTrue(Linearizability.check(REG, h).linearizable());
    }

    @Test
    void staleReadAfterWriteReturnedIsCaught() {
        List<Operation> h = List.of(
                op(0, 0, 1, new Write(1), null),
                op(0, 2, 3, new Write(2), null),
                op(1, 4, 5, new Read(), 1L)); // the write of 2 had returned: reading 1 is stale
        Linearizability.Result r = Linearizability.check(REG, h);
        assertFalse(r.linearizable());
        assertEquals(2, r.longestLinearization().size(), "both writes explain, the read does not");
    }

    @Test
    void lostAcknowledgedWriteIsCaught() {
        List<Operation> h = List.of(
                op(0, 0, 1, new Write(7), null),
                op(1, 2, 3, new Read(), null)); // an acknowledged write vanished
        assertFalse(Linearizability.check(REG, h).linearizable());
    }

    @Test
    void nonMonotonicReadsAcrossClientsAreCaught() {
        List<Operation> h = List.of(
                op(0, 0, 100, new Write(1), null),
                op(1, 10, 20, new Read(), 1L),
                op(2, 30, 40, new Read(), null)); // saw the write, then another client did not
        assertFalse(Linearizability.check(REG, h).linearizable());
    }

    @Test
    void casIncrementsAreChecked() {
        List<Operation> ok = List.of(
                op(0, 0, 1, new Write(0), null),
                op(1, 2, 6, new Cas(0L, 1), true),
                op(2, 3, 7, new Cas(0L, 1), false), // lost the race
                op(0, 8, 9, new Read(), 1L));
        assertTrue(Linearizability.check(REG, ok).linearizable());
        List<Operation> bad = List.of(
                op(0, 0, 1, new Write(0), null),
                op(1, 2, 6, new Cas(0L, 1), true),
                op(2, 3, 7, new Cas(0L, 1), true)); // both swapped from 0: double increment
        assertFalse(Linearizability.check(REG, bad).linearizable());
    }

    @Test
    void unknownOutcomesMayOrMayNotHaveHappened() {
        List<Operation> took = List.of(
                op(0, 0, U, new Write(5), null),
                op(1, 10, 11, new Read(), 5L));
        assertTrue(Linearizability.check(REG, took).linearizable());
        List<Operation> didNot = List.of(
                op(0, 0, U, new Write(5), null),
                op(1, 10, 11, new Read(), null));
        assertTrue(Linearizability.check(REG, didNot).linearizable());
        List<Operation> flipFlop = List.of(
                op(0, 0, U, new Write(5), null),
                op(1, 10, 11, new Read(), 5L),
                op(1, 12, 13, new Read(), null)); // once visible, it cannot disappear
        assertFalse(Linearizability.check(REG, flipFlop).linearizable());
    }

    @Test
    void twoLockHoldersAreCaught() {
        List<Operation> bad = List.of(
                op(0, 0, 1, new Acquire(), 1L),
                op(1, 2, 3, new Acquire(), 2L)); // acquired while client 0 still holds it
        assertFalse(Linearizability.check(LOCK, bad).linearizable());
        List<Operation> ok = List.of(
                op(0, 0, 1, new Acquire(), 1L),
                op(0, 2, 3, new Release(), null),
                op(1, 4, 5, new Acquire(), 2L));
        assertTrue(Linearizability.check(LOCK, ok).linearizable());
    }

    @Test
    void staleSequencerWriteAcceptedIsCaught() {
        // Jepsen's etcd finding: a holder paused past its lease keeps writing after another holder got the lock
        List<Operation> bad = List.of(
                op(0, 0, 1, new Acquire(), 1L),
                op(0, 2, U, new Release(), null),          // session expired: lock released (outcome unknown)
                op(1, 10, 11, new Acquire(), 2L),
                op(0, 12, 13, new ProtectedWrite(1, 99), true)); // stale generation accepted
        assertFalse(Linearizability.check(LOCK, bad).linearizable());
        List<Operation> fenced = List.of(
                op(0, 0, 1, new Acquire(), 1L),
                op(0, 2, U, new Release(), null),
                op(1, 10, 11, new Acquire(), 2L),
                op(0, 12, 13, new ProtectedWrite(1, 99), false),
                op(1, 14, 15, new ProtectedWrite(2, 7), true));
        assertTrue(Linearizability.check(LOCK, fenced).linearizable());
    }

    @Test
    void aLongRandomLinearizableHistoryIsAccepted() {
        // a real register driven by 5 clients with random overlapping timing: linearizable by construction
        Random rnd = new Random(42);
        List<Operation> h = new ArrayList<>();
        Long value = null;
        long t = 0;
        for (int i = 0; i < 2000; i++) {
            int c = rnd.nextInt(5);
            long inv = t + rnd.nextInt(3);
            long at = inv + 1 + rnd.nextInt(3); // the linearization point
            long ret = at + 1 + rnd.nextInt(3);
            t = at + 1;
            if (rnd.nextBoolean()) {
                long v = rnd.nextInt(4);
                value = v;
                h.add(op(c, inv, ret, new Write(v), null));
            } else {
                h.add(op(c, inv, ret, new Read(), value));
            }
        }
        Linearizability.Result r = Linearizability.check(REG, h);
        assertTrue(r.linearizable());
        assertEquals(2000, r.longestLinearization().size());
    }

    @Test
    void rejectsOperationsThatEndBeforeTheyStart() {
        assertThrows(IllegalArgumentException.class,
                () -> Linearizability.check(REG, List.of(op(0, 5, 1, new Read(), null))));
    }
}
