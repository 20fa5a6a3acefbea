package io.chubby.bench;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Workload 7, unplanned failover: a client writes sequentially; {@value #BEFORE} timed writes, then
 * the master / leader is killed with SIGKILL; the time from the kill to the next acknowledged write
 * is one sample. Then the new master's latency (issue 21): the client keeps writing sequentially for
 * {@value #AFTER_MS} ms after that first write completed, and the writes are grouped by when they
 * began, in [0,5), [5,10) and [10,20) s after it ({@link #window}), next to the p50 before the kill.
 * The killed member is restarted between repetitions.
 */
final class Failover {
    /** Timed writes before each kill: the pre-kill p50. */
    static final int BEFORE = 200;
    /** How long the client keeps writing after the first write that followed the kill. */
    static final long AFTER_MS = 20_000;
    /** Starts of the windows after the first write, in ms; the last one ends at {@link #AFTER_MS}. */
    private static final long[] WINDOW_STARTS_MS = {0, 5_000, 10_000};

    private Failover() {
    }

    static Result run(SystemUnderTest sut, int reps) throws Exception {
        Stats s = new Stats();
        Stats before = new Stats();
        Stats[] after = {new Stats(), new Stats(), new Stats()};
        int errors = 0;
        int errorsAfter = 0;
        for (int r = 0; r < reps; r++) {
            try (KvClient c = sut.newClient()) {
                c.prepare("bench-failover");
                for (int i = 0; i < BEFORE; i++) {
                    long t = System.nanoTime();
                    c.write("bench-failover", Workloads.VALUE);
                    before.add(System.nanoTime() - t);
                }
                long pid = sut.leaderPid();
                long killedAt = System.nanoTime();
                Procs.kill9(pid);
                long deadline = killedAt + TimeUnit.SECONDS.toNanos(60);
                while (true) {
                    try {
                        c.write("bench-failover", Workloads.VALUE);
                        s.add(System.nanoTime() - killedAt);
                        break;
                    } catch (Exception e) {
                        errors++;
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException(sut.name() + ": no write succeeded 60 s after the kill", e);
                        }
                        Procs.sleep(5);
                    }
                }
                long first = System.nanoTime();
                long t;
                while ((t = System.nanoTime()) - first < TimeUnit.MILLISECONDS.toNanos(AFTER_MS)) {
                    try {
                        c.write("bench-failover", Workloads.VALUE);
                        after[window((t - first) / 1_000_000)].add(System.nanoTime() - t);
                    } catch (Exception e) {
                        errorsAfter++;
                        Procs.sleep(5);
                    }
                }
            }
            sut.restartStopped();
            Procs.sleep(3000); // let the restarted member catch up before the next kill
        }
        String note = String.format(Locale.ROOT,
                "%d failed writes while electing; new master: p50 %s ms in [0,5) s, %s in [5,10) s, %s in [10,20) s after the "
                        + "first write (%d / %d / %d writes, %d failed) vs %s ms before the kill (%d writes before each of %d kills)",
                errors, Report.ms(after[0].percentileMs(50)), Report.ms(after[1].percentileMs(50)),
                Report.ms(after[2].percentileMs(50)), after[0].count(), after[1].count(), after[2].count(), errorsAfter,
                Report.ms(before.percentileMs(50)), BEFORE, reps);
        return new Result("7. failover: kill -9 master, time to next write", sut.name(), Double.NaN, s.percentileMs(50),
                s.percentileMs(99), s.maxMs(), s.count(), note);
    }

    /** The window (0, 1, 2) of a write that began {@code msAfterFirst} ms after the first write following the kill. */
    static int window(long msAfterFirst) {
        int w = 0;
        while (w + 1 < WINDOW_STARTS_MS.length && msAfterFirst >= WINDOW_STARTS_MS[w + 1]) {
            w++;
        }
        return w;
    }
}
