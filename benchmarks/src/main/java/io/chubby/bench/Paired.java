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
            ca.start();
            cb.start();
            // chubby-scraped (issue 22): every replica's /metrics fetched once a second throughout
            MetricsScrape scrapeA = a.equals("chubby-scraped") ? MetricsScrape.start(ca.metricsUrls()) : null;
            MetricsScrape scrapeB = b.equals("chubby-scraped") ? MetricsScrape.start(cb.metricsUrls()) : null;
            System.out.println("== " + a + ": warm-up " + Workloads.warmUp(ca, warmMs));
            System.out.println("== " + b + ": warm-up " + Workloads.warmUp(cb, warmMs));
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
                for (MetricsScrape m : new MetricsScrape[] {scrapeA, scrapeB}) {
                    if (m != null) {
                        m.close();
                        System.out.println("== chubby-scraped: " + m.summary());
                    }
                }
            }
        }
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

    private static ChubbyCell cell(String name, Path home, Path work, int basePort) {
        Path dir = work.resolve("paired-" + name + "-cell");
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
