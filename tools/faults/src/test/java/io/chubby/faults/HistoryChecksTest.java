package io.chubby.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.sim.check.Operation;
import io.chubby.sim.check.RegisterModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The pipeline must be able to fail: histories recorded through {@link History} the way the
 * workers record them pass when they are right, and a deliberately broken one (a stale read, a
 * lost acknowledged write, an epoch going back) is caught.
 */
class HistoryChecksTest {
    private static final String KEY = "/ls/local/faults-register-0";
    private final HistoryChecks checks = new HistoryChecks(Duration.ofSeconds(3));

    /**
     * A correct history of 3 clients against one in-memory register, recorded like the workers do
     * (CAS increments with their read, blind writes, reads; some outcomes unknown), with
     * overlapping operations. Returns the recorder.
     */
    private static History correctHistory(long seed) {
        History h = new History();
        Random random = new Random(seed);
        Long register = null;
        long t = 1_000;
        int[] seq = new int[4];
        for (int i = 0; i < 600; i++) {
            int client = 1 + random.nextInt(3);
            int dice = random.nextInt(10);
            long invoke = t;
            long effect = t + 1 + random.nextInt(5);
            long complete = effect + 1 + random.nextInt(5);
            t += 3; // the next operation starts before this one completes: they overlap
            if (dice < 4) {
                Long seen = register;
                h.completed(KEY, client, invoke, effect, new RegisterModel.Read(), seen);
                long next = RegisterValues.next(seen, client, seq[client]++);
                // someone else may have written in between: the CAS then fails
                boolean swapped = random.nextInt(4) != 0;
                if (swapped) {
                    register = next;
                    h.completed(KEY, client, effect + 1, complete + 2, new RegisterModel.Cas(seen, next), true);
                } else {
                    long other = RegisterValues.fresh(client, seq[client]++);
                    register = other;
                    h.completed(KEY, client, effect + 1, complete + 2, new RegisterModel.Write(other), null);
                    h.refused(KEY, client, effect + 2, complete + 3, new RegisterModel.Cas(seen, next), false);
                }
                t += 6;
            } else if (dice < 7) {
                long v = RegisterValues.fresh(client, seq[client]++);
                if (random.nextInt(10) == 0) {
                    // timed out; took effect or not (here: not)
                    h.unknown(KEY, client, invoke, new RegisterModel.Write(v));
                } else {
                    register = v;
                    h.completed(KEY, client, invoke, complete, new RegisterModel.Write(v), null);
                }
            } else {
                h.completed(KEY, client, invoke, complete, new RegisterModel.Read(), register);
            }
            t = Math.max(t, complete + 1);
        }
        h.completed(KEY, FaultRun.FINAL_READER, t + 10, t + 20, new RegisterModel.Read(), register);
        return h;
    }

    /** A copy of {@code h} with {@code change} applied to its operation list of KEY. */
    private static History rewrite(History h, java.util.function.Consumer<List<Operation>> change) {
        List<Operation> ops = new ArrayList<>(h.byKey().get(KEY));
        change.accept(ops);
        History out = new History();
        for (Operation op : ops) {
            if (op.known()) {
                out.completed(KEY, op.client(), op.invoke(), op.complete(), op.input(), op.output());
            } else {
                out.unknown(KEY, op.client(), op.invoke(), op.input());
            }
        }
        return out;
    }

    @Test
    void aCorrectRecordedHistoryPasses() {
        for (long seed = 1; seed <= 5; seed++) {
            assertEquals(List.of(), checks.check(correctHistory(seed)), "seed " + seed);
        }
    }

    @Test
    void anInjectedStaleReadIsCaught() {
        History good = correctHistory(7);
        History bad = rewrite(good, ops -> {
            // the value of the first completed write, read again long after later writes completed
            Operation firstWrite = ops.stream().filter(o -> o.known() && o.input() instanceof RegisterModel.Write)
                    .findFirst().orElseThrow();
            long v = ((RegisterModel.Write) firstWrite.input()).value();
            Operation last = ops.get(ops.size() - 1);
            ops.add(ops.size() - 1, new Operation(9, last.invoke() - 5, last.invoke() - 4, new RegisterModel.Read(), v));
        });
        List<String> anomalies = checks.check(bad);
        assertEquals(1, anomalies.size(), anomalies.toString());
        assertTrue(anomalies.get(0).startsWith("not-linearizable key=" + KEY), anomalies.get(0));
    }

    @Test
    void aLostAcknowledgedWriteIsCaughtByTheFinalRead() {
        History good = correctHistory(11);
        History bad = rewrite(good, ops -> {
            // the final read sees the value before the last acknowledged write
            Operation lastWrite = null;
            for (Operation o : ops) {
                if (o.known() && (o.input() instanceof RegisterModel.Write
                        || (o.input() instanceof RegisterModel.Cas && Boolean.TRUE.equals(o.output())))) {
                    lastWrite = o;
                }
            }
            Operation fin = ops.remove(ops.size() - 1);
            Object before = null;
            for (Operation o : ops) {
                if (o.input() instanceof RegisterModel.Read && o.known() && o.complete() < lastWrite.invoke()) {
                    before = o.output();
                }
            }
            ops.add(new Operation(fin.client(), fin.invoke(), fin.complete(), fin.input(), before));
        });
        List<String> anomalies = checks.check(bad);
        assertEquals(1, anomalies.size(), anomalies.toString());
        assertTrue(anomalies.get(0).startsWith("not-linearizable key=" + KEY), anomalies.get(0));
    }

    @Test
    void aFailedCasThatShouldHaveSucceededIsCaught() {
        History h = new History();
        h.completed(KEY, 1, 0, 10, new RegisterModel.Write(5), null);
        h.completed(KEY, 2, 20, 30, new RegisterModel.Read(), 5L);
        h.refused(KEY, 2, 40, 50, new RegisterModel.Cas(5L, RegisterValues.next(5L, 2, 0)), false);
        assertEquals(1, checks.check(h).size());
    }

    @Test
    void anUnknownWriteMayOrMayNotHaveHappened() {
        History h = new History();
        h.completed(KEY, 1, 0, 10, new RegisterModel.Write(5), null);
        h.unknown(KEY, 2, 20, new RegisterModel.Write(6));
        h.completed(KEY, 1, 100, 110, new RegisterModel.Read(), 6L);
        h.completed(KEY, 3, 120, 130, new RegisterModel.Read(), 6L);
        assertEquals(List.of(), checks.check(h));
        assertEquals(1, h.unknown());
        assertEquals(3, h.ok());
    }

    @Test
    void anEpochGoingBackIsCaught() {
        History h = new History();
        h.sawEpoch(1, 10, 3);
        h.sawEpoch(2, 11, 4);
        h.sawEpoch(1, 12, 4);
        h.sawEpoch(1, 13, 4);
        assertEquals(List.of(), checks.check(h));
        h.sawEpoch(1, 14, 3);
        List<String> anomalies = checks.check(h);
        assertEquals(List.of("epoch-went-back client=1 from=4 to=3"), anomalies);
    }

    @Test
    void anExpiredSessionIsAnAnomaly() {
        History h = new History();
        h.sessionExpired(2, 17, 100, "SESSION_EXPIRED: no KeepAlive reply within the grace period");
        assertEquals(List.of("session-expired client=2 session=17 reason=SESSION_EXPIRED: no KeepAlive reply within the grace period"),
                checks.check(h));
    }
}
