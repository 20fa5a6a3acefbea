package io.chubby.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.sim.check.LockModel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lock part of the checks, on histories recorded the way {@link LockWorker} records them: a
 * correct one passes, and deliberately broken ones (two holders under one generation, a
 * generation going back, a stale write accepted, a current holder's write rejected) are caught.
 */
class LockChecksTest {
    private static final String KEY = LockWorker.historyKey("/ls/local/faults-lock");
    private final HistoryChecks checks = new HistoryChecks(Duration.ofSeconds(3));

    /** Client c holds [t, t+9] with generation g and writes once (accepted). */
    private static void cycle(History h, int c, long t, long g, boolean released) {
        h.completed(KEY, c, t, t + 2, new LockModel.Acquire(), g);
        h.completed(KEY, c, t + 3, t + 5, new LockModel.ProtectedWrite(g, 100 * g + c), true);
        if (released) {
            h.completed(KEY, c, t + 6, t + 8, new LockModel.Release(), null);
        }
    }

    @Test
    void aCorrectHistoryPasses() {
        History h = new History();
        cycle(h, 1, 0, 1, true);
        cycle(h, 2, 10, 2, true);
        // client 3's session expired while holding: its later write is rejected, its release unknown
        h.completed(KEY, 3, 20, 22, new LockModel.Acquire(), 3L);
        h.unknown(KEY, 3, 20, new LockModel.Release());
        h.completed(KEY, 1, 25, 40, new LockModel.Acquire(), 5L); // granted after the expiry; 4 skipped
        h.refused(KEY, 3, 41, 42, new LockModel.ProtectedWrite(3, 7), false);
        h.completed(KEY, 1, 43, 44, new LockModel.ProtectedWrite(5, 8), true);
        h.completed(KEY, 1, 45, 46, new LockModel.Release(), null);
        // an acquire whose outcome is unknown (given up, release unknown too)
        h.unknown(KEY, 2, 50, new LockModel.Acquire());
        h.unknown(KEY, 2, 50, new LockModel.Release());
        cycle(h, 3, 60, 7, true);
        assertEquals(List.of(), checks.check(h));
    }

    @Test
    void twoHoldersUnderOneGenerationAreCaught() {
        History h = new History();
        cycle(h, 1, 0, 1, true);
        cycle(h, 2, 10, 1, true);
        List<String> found = checks.check(h);
        assertTrue(found.stream().anyMatch(a -> a.startsWith("lock-generation-reused key=" + KEY)), found.toString());
        assertTrue(found.stream().anyMatch(a -> a.startsWith("not-linearizable key=" + KEY)), found.toString());
    }

    @Test
    void aGenerationGoingBackIsCaught() {
        History h = new History();
        cycle(h, 1, 0, 5, true);
        cycle(h, 2, 10, 3, true);
        List<String> found = checks.check(h);
        assertTrue(found.stream().anyMatch(a -> a.startsWith("lock-generation-not-increasing key=" + KEY)), found.toString());
        assertTrue(found.stream().anyMatch(a -> a.startsWith("not-linearizable key=" + KEY)), found.toString());
    }

    @Test
    void aStaleWriteAcceptedIsCaught() {
        History h = new History();
        h.completed(KEY, 1, 0, 2, new LockModel.Acquire(), 1L);
        h.unknown(KEY, 1, 0, new LockModel.Release()); // session lost
        h.completed(KEY, 2, 10, 12, new LockModel.Acquire(), 2L);
        h.completed(KEY, 1, 13, 14, new LockModel.ProtectedWrite(1, 9), true); // the old holder's write
        List<String> found = checks.check(h);
        assertTrue(found.stream().anyMatch(a -> a.startsWith("stale-write-accepted key=" + KEY)), found.toString());
        assertTrue(found.stream().anyMatch(a -> a.startsWith("not-linearizable key=" + KEY)), found.toString());
    }

    @Test
    void aCurrentHoldersWriteRejectedIsCaught() {
        History h = new History();
        h.completed(KEY, 1, 0, 2, new LockModel.Acquire(), 1L);
        h.refused(KEY, 1, 3, 4, new LockModel.ProtectedWrite(1, 9), false);
        h.completed(KEY, 1, 5, 6, new LockModel.Release(), null); // the session was alive all along
        List<String> found = checks.check(h);
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).startsWith("not-linearizable key=" + KEY), found.get(0));
    }

    @Test
    void observedAnomaliesArePassedThrough() {
        History h = new History();
        h.anomaly("ephemeral-vanished path=/ls/local/x");
        assertEquals(List.of("ephemeral-vanished path=/ls/local/x"), checks.check(h));
    }
}
