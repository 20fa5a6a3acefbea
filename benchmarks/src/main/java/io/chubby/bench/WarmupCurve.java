package io.chubby.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * Workload 14, the warm-up curve (issue 21): time to steady state. Run first, right after the
 * system's {@code start()} returned and before the unmeasured warm-up: one client writes 100 bytes
 * sequentially (the write of workload 1) for {@code --curve} seconds; the p50 of every
 * {@value #WINDOW_MS} ms window (a write counts in the window in which it completed) makes the
 * curve. Steady = the median of the window p50s of the last third; the system is steady from the
 * first window from which every later window's p50 is within {@value #TOLERANCE} of steady
 * (a window without a completed write is not).
 */
final class WarmupCurve {
    static final long WINDOW_MS = 5000;
    static final double TOLERANCE = 0.10;

    /**
     * One system's curve.
     *
     * @param startSecs        how long {@code start()} took (it launches the processes)
     * @param curveOffsetSecs  from {@code start()} returning to the first write of the curve
     * @param p50s             each window's p50 in ms (NaN: no write completed in it)
     * @param steadyMs         median of the last third's window p50s
     * @param steadyFrom       index of the first steady window, -1 when the last window is not steady
     */
    record Curve(String system, double startSecs, double curveOffsetSecs, double[] p50s, double steadyMs, int steadyFrom) {
        /** Seconds from {@code start()} returning to the beginning of the first steady window; NaN when none. */
        double secondsToSteady() {
            return steadyFrom < 0 ? Double.NaN : curveOffsetSecs + steadyFrom * WINDOW_MS / 1000.0;
        }
    }

    /** A curve and its row for the results table. */
    record Outcome(Curve curve, Result result) {
    }

    private WarmupCurve() {
    }

    /**
     * Runs the curve for {@code curveMs}; {@code calledNanos} and {@code returnedNanos} are when
     * {@code start()} was called and returned ({@link System#nanoTime()}).
     */
    static Outcome run(SystemUnderTest sut, long curveMs, long calledNanos, long returnedNanos) throws Exception {
        int windows = (int) Math.max(1, curveMs / WINDOW_MS);
        List<Stats> perWindow = new ArrayList<>();
        for (int i = 0; i < windows; i++) {
            perWindow.add(new Stats());
        }
        Stats all = new Stats();
        int failed = 0;
        try (KvClient c = sut.newClient()) {
            c.prepare("bench-curve");
            long t0 = System.nanoTime();
            long end = t0 + windows * WINDOW_MS * 1_000_000;
            long t;
            while ((t = System.nanoTime()) < end) {
                try {
                    c.write("bench-curve", Workloads.VALUE);
                } catch (Exception e) {
                    failed++;
                    Procs.sleep(5);
                    continue;
                }
                long done = System.nanoTime();
                int w = (int) ((done - t0) / (WINDOW_MS * 1_000_000));
                if (w < windows) {
                    perWindow.get(w).add(done - t);
                    all.add(done - t);
                }
            }
            double[] p50s = perWindow.stream().mapToDouble(s -> s.percentileMs(50)).toArray();
            double steady = steady(p50s);
            Curve curve = new Curve(sut.name(), (returnedNanos - calledNanos) / 1e9, (t0 - returnedNanos) / 1e9, p50s, steady,
                    firstSteadyWindow(p50s, steady, TOLERANCE));
            double secs = windows * WINDOW_MS / 1000.0;
            Result r = new Result("14. warm-up curve: sequential 100-byte writes for " + (long) secs + " s", sut.name(),
                    all.count() / secs, steady, all.percentileMs(99), all.maxMs(), all.count(), note(curve, failed));
            return new Outcome(curve, r);
        }
    }

    /** The note: steady p50, time to steady from start() returning and from start() called, the window p50s. */
    static String note(Curve c, int failed) {
        String when = c.steadyFrom() < 0
                ? String.format(Locale.ROOT, "not steady within the curve (the last window is beyond %.0f%% of steady)",
                        TOLERANCE * 100)
                : String.format(Locale.ROOT, "steady (every later window p50 within %.0f%%) %.0f s after start() returned, "
                                + "%.0f s after it was called (it launches the processes and took %.0f s)", TOLERANCE * 100,
                        c.secondsToSteady(), c.secondsToSteady() + c.startSecs(), c.startSecs());
        StringJoiner list = new StringJoiner(" ");
        for (double p : c.p50s()) {
            list.add(Double.isNaN(p) ? "-" : String.format(Locale.ROOT, "%.2f", p));
        }
        return String.format(Locale.ROOT, "p50 column: steady p50 (median of the last third's window p50s); %s; "
                        + "%d failed writes; p50 ms per %d s window: %s", when, failed, WINDOW_MS / 1000, list);
    }

    /** The median of the window p50s of the last third (at least the last window); NaN windows are left out. */
    static double steady(double[] p50s) {
        int n = p50s.length;
        int from = n - Math.max(1, n / 3);
        return Report.median(Arrays.copyOfRange(p50s, from, n));
    }

    /**
     * The first window from which every later window's p50 is within {@code tolerance} (relative) of
     * {@code steady}; -1 when the last window is not (or steady is NaN).
     */
    static int firstSteadyWindow(double[] p50s, double steady, double tolerance) {
        int k = p50s.length;
        while (k > 0 && p50s[k - 1] <= steady * (1 + tolerance) && p50s[k - 1] >= steady * (1 - tolerance)) {
            k--;
        }
        return k == p50s.length ? -1 : k;
    }

    /**
     * The curves as a markdown table for the results file: one row per window (its start, seconds
     * after the curve began), one column per system, and each system's steady p50 and time to steady.
     */
    static String markdown(List<Curve> curves) {
        if (curves.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        b.append("Warm-up curves (workload 14): p50 ms of sequential 100-byte writes per ").append(WINDOW_MS / 1000)
                .append(" s window, from the start of the curve (right after start() returned)\n\n| window from s |");
        StringBuilder rule = new StringBuilder("|---:|");
        int rows = 0;
        for (Curve c : curves) {
            b.append(' ').append(c.system()).append(" |");
            rule.append("---:|");
            rows = Math.max(rows, c.p50s().length);
        }
        b.append('\n').append(rule).append('\n');
        for (int i = 0; i < rows; i++) {
            b.append("| ").append(i * WINDOW_MS / 1000).append(" |");
            for (Curve c : curves) {
                double p = i < c.p50s().length ? c.p50s()[i] : Double.NaN;
                b.append(' ').append(Double.isNaN(p) ? "-" : Report.ms(p)).append(" |");
            }
            b.append('\n');
        }
        b.append('\n');
        for (Curve c : curves) {
            b.append(String.format(Locale.ROOT, "- %s: steady p50 %s ms; steady from %s s after start() returned "
                            + "(start() took %.0f s; the curve began %.1f s after it returned)%n", c.system(), Report.ms(c.steadyMs()),
                    c.steadyFrom() < 0 ? "- (never: the last window is beyond " + (int) (TOLERANCE * 100) + "%)"
                            : String.format(Locale.ROOT, "%.0f", c.secondsToSteady()), c.startSecs(), c.curveOffsetSecs()));
        }
        return b.toString();
    }
}
