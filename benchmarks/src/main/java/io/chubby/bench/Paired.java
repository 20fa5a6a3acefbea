package io.chubby.bench;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Single-write latency of two Chubby variants measured side by side: both 5-replica cells run at
 * once (ports 17000 and 17300), each is warmed up, and then one client writes 100 bytes to each in
 * turn (A B, B A, A B, ...), so both meet the same moment's machine load, compiler activity and
 * disk. On a shared 2-core machine a single write's p50 moves by tens of percent from one run to
 * the next; alternating write by write removes that drift from the ratio. Prints p50 and p99 per
 * variant over all writes and per block of 500, the overhead of B over A, and the CPU time per write
 * of each cell's five replica processes (from /proc; it includes each cell's idle heartbeats).
 *
 * <p>{@code Bench --paired chubby,chubby-secure [--writes 3000] [--warmup 60]}.
 */
final class Paired {
    private static final byte[] VALUE = new byte[100];
    private static final int BLOCK = 500;

    private Paired() {
    }

    static void run(Path home, Path work, String a, String b, int writes, long warmMs) throws Exception {
        try (ChubbyCell ca = cell(a, home, work, 17000); ChubbyCell cb = cell(b, home, work, 17300)) {
            MetricsScrape[] scrapes = startAndWarm(ca, cb, a, b, warmMs);
            try (KvClient x = ca.newClient(); KvClient y = cb.newClient()) {
                x.prepare("bench-paired");
                y.prepare("bench-paired");
                for (int i = 0; i < 300; i++) {
                    x.write("bench-paired", VALUE);
                    y.write("bench-paired", VALUE);
                }
                Stats sa = new Stats();
                Stats sb = new Stats();
                Stats blockA = new Stats();
                Stats blockB = new Stats();
                double cpuA = ca.cpuSeconds();
                double cpuB = cb.cpuSeconds();
                System.out.println("| writes | " + a + " p50 ms | " + b + " p50 ms | overhead |");
                System.out.println("|---|---:|---:|---:|");
                for (int i = 0; i < writes; i++) {
                    if (i % 2 == 0) {
                        time(x, sa, blockA);
                        time(y, sb, blockB);
                    } else {
                        time(y, sb, blockB);
                        time(x, sa, blockA);
                    }
                    if ((i + 1) % BLOCK == 0) {
                        row((i + 1 - BLOCK) + "-" + (i + 1), blockA, blockB);
                        blockA = new Stats();
                        blockB = new Stats();
                    }
                }
                row("all " + writes, sa, sb);
                double perA = (ca.cpuSeconds() - cpuA) / writes * 1e6;
                double perB = (cb.cpuSeconds() - cpuB) / writes * 1e6;
                System.out.printf(Locale.ROOT, "CPU per write, all replica processes: %s %.0f us, %s %.0f us (%+.1f%%)%n", a,
                        perA, b, perB, (perB / perA - 1) * 100);
                System.out.printf(Locale.ROOT, "p99: %s %.3f ms, %s %.3f ms; load average %s%n", a, sa.percentileMs(99),
                        b, sb.percentileMs(99), Procs.loadAverage());
            } finally {
                closeScrapes(scrapes);
            }
        }
    }

    /**
     * Throughput at {@code window} writes in flight, the two cells in turn: slices of
     * {@code sliceMs} in the order A B B A, A B B A, ... (each cell first as often as second), both
     * cells up throughout, so each slice meets the load of the moment and drift cancels in the
     * ratio of neighbouring slices. Prints ops/s and CPU per write (all five replicas, /proc) per
     * slice, then per variant the median over its slices and the median of the per-pair ratios B/A.
     *
     * <p>{@code Bench --paired chubby-metrics-off,chubby-scraped --in-flight 1000 [--slices 16]
     * [--slice-seconds 6] [--warmup 60]}.
     */
    static void runInFlight(Path home, Path work, String a, String b, int window, int slices, long sliceMs,
                            long warmMs) throws Exception {
        try (ChubbyCell ca = cell(a, home, work, 17000); ChubbyCell cb = cell(b, home, work, 17300)) {
            MetricsScrape[] scrapes = startAndWarm(ca, cb, a, b, warmMs);
            try {
                java.util.List<Double> opsA = new java.util.ArrayList<>();
                java.util.List<Double> opsB = new java.util.ArrayList<>();
                java.util.List<Double> cpuA = new java.util.ArrayList<>();
                java.util.List<Double> cpuB = new java.util.ArrayList<>();
                System.out.println("| slice | cell | ops/s | p50 ms | p99 ms | CPU us/write | load |");
                System.out.println("|---:|---|---:|---:|---:|---:|---:|");
                for (int i = 0; i < slices; i++) {
                    boolean first = i % 4 == 0 || i % 4 == 3; // A B B A
                    ChubbyCell c = first ? ca : cb;
                    String name = first ? a : b;
                    double cpu0 = c.cpuSeconds();
                    Result r = Workloads.inFlightWrites(c, window, 100, sliceMs);
                    double cpuPerWrite = (c.cpuSeconds() - cpu0) / Math.max(1, r.samples()) * 1e6;
                    (first ? opsA : opsB).add(r.opsPerSec());
                    (first ? cpuA : cpuB).add(cpuPerWrite);
                    System.out.printf(Locale.ROOT, "| %d | %s | %.0f | %.1f | %.1f | %.0f | %s |%n", i + 1, name,
                            r.opsPerSec(), r.p50Ms(), r.p99Ms(), cpuPerWrite, Procs.loadAverage());
                }
                java.util.List<Double> ratios = new java.util.ArrayList<>();
                java.util.List<Double> cpuRatios = new java.util.ArrayList<>();
                for (int k = 0; k < Math.min(opsA.size(), opsB.size()); k++) {
                    ratios.add(opsB.get(k) / opsA.get(k));
                    cpuRatios.add(cpuB.get(k) / cpuA.get(k));
                }
                System.out.printf(Locale.ROOT, "ops/s median: %s %.0f, %s %.0f; per-pair ratio %s/%s median %.3f "
                        + "(min %.3f, max %.3f, %d pairs)%n", a, median(opsA), b, median(opsB), b, a, median(ratios),
                        ratios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                        ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN), ratios.size());
                System.out.printf(Locale.ROOT, "CPU per write median: %s %.0f us, %s %.0f us; per-pair ratio median %.3f%n",
                        a, median(cpuA), b, median(cpuB), median(cpuRatios));
            } finally {
                closeScrapes(scrapes);
            }
        }
    }

    /**
     * Starts both cells, starts scraping the one named chubby-scraped (issue 22: every replica's
     * /metrics once a second throughout), warms both up; returns the scrapes (null where none).
     */
    private static MetricsScrape[] startAndWarm(ChubbyCell ca, ChubbyCell cb, String a, String b, long warmMs)
            throws Exception {
        ca.start();
        cb.start();
        MetricsScrape scrapeA = a.equals("chubby-scraped") ? MetricsScrape.start(ca.metricsUrls()) : null;
        MetricsScrape scrapeB = b.equals("chubby-scraped") ? MetricsScrape.start(cb.metricsUrls()) : null;
        System.out.println("== " + a + ": warm-up " + Workloads.warmUp(ca, warmMs));
        System.out.println("== " + b + ": warm-up " + Workloads.warmUp(cb, warmMs));
        return new MetricsScrape[] {scrapeA, scrapeB};
    }

    private static void closeScrapes(MetricsScrape[] scrapes) throws InterruptedException {
        for (MetricsScrape m : scrapes) {
            if (m != null) {
                m.close();
                System.out.println("== chubby-scraped: " + m.summary());
            }
        }
    }

    private static double median(java.util.List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        java.util.List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static void time(KvClient c, Stats all, Stats block) throws Exception {
        long t = System.nanoTime();
        c.write("bench-paired", VALUE);
        long d = System.nanoTime() - t;
        all.add(d);
        block.add(d);
    }

    private static void row(String label, Stats a, Stats b) {
        double pa = a.percentileMs(50);
        double pb = b.percentileMs(50);
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %+.1f%% |%n", label, pa, pb, (pb / pa - 1) * 100);
    }

    private static ChubbyCell cell(String name, Path home, Path work, int basePort) throws java.io.IOException {
        Path dir = work.resolve("paired-" + name + "-cell");
        if (java.nio.file.Files.exists(dir)) { // an earlier run's cell, possibly on the other base port
            try (var paths = java.nio.file.Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(p);
                }
            }
        }
        return switch (name) {
            case "chubby" -> new ChubbyCell(home, dir, 5, basePort, "");
            case "chubby-secure" -> new ChubbyCell(home, dir, 5, basePort, "", true);
            case "chubby-tls" -> new ChubbyCell(home, dir, 5, basePort, "", true, true);
            case "chubby-tls-client" -> new ChubbyCell(home, dir, 5, basePort, "", true, true, "peer");
            case "chubby-tls-peer" -> new ChubbyCell(home, dir, 5, basePort, "", true, true, "client");
            case "chubby-metrics-off" -> new ChubbyCell(home, dir, 5, basePort, "").metricsOff();
            case "chubby-scraped" -> new ChubbyCell(home, dir, 5, basePort, "").scraped();
            default -> throw new IllegalArgumentException("--paired takes chubby, chubby-secure, chubby-tls, chubby-tls-client, "
                    + "chubby-tls-peer, chubby-metrics-off or chubby-scraped, not " + name);
        };
    }
}
