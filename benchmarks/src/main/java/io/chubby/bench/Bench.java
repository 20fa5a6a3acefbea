package io.chubby.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.LinkedHashSet;

/**
 * Entry point of {@code benchmarks/run}: {@code Bench --home DIST --work DIR [--quick] [--warmup SECONDS]
 * [--systems chubby,zookeeper,etcd,chubby-secure,zookeeper-secure,etcd-secure] [--workloads 1,2,...]
 * [--out FILE] [--png FILE] [--jfr DIR]}. A {@code -secure} system is the same cluster with TLS on
 * client and peer links and access control enforced (see each system's class). {@code chubby-proxies}
 * is the plain cell with every client behind {@code --proxies N} (default 4) Chubby proxies; its
 * replicas get {@code --server-opts} (e.g. a larger heap for 6b with 200,000 sessions).
 * {@code etcd-proxies}: the plain etcd cluster with every client behind {@code --proxies N} etcd
 * grpc-proxies; {@code zookeeper-observers}: the plain ensemble plus {@code --observers N} (default
 * 4) observers, every client on an observer.
 * Workload 8 runs once per size of {@code --watchers N[,M]} ({@link FanOut}). Workload 14
 * ({@code --workloads 14,... [--curve SECONDS]}, {@link WarmupCurve}) runs first on each system, right
 * after it started; the unmeasured warm-up is then shortened by the time 14 took.
 * Workload 9 ({@code --workloads 9 [--readers N]}): one file read by N sessions (etcd: serializable
 * and linearizable, one row each; ZooKeeper: at most 200 / 1,000 sessions as in 6b).
 * {@code --proxy-latency [--ops N]}: what one proxy adds to a write and a read ({@link ProxyLatency}).
 * {@code --partitions 1,2,4,8 [--dirs 64] ...}: a cell of N partitions per run ({@link Partitions}).
 * Prints a markdown table, writes it to FILE and a latency plot to the PNG.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick") || args[i].equals("--proxy-latency") || args[i].equals("--scrape")) {
                opt.put(args[i].substring(2), "true");
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                opt.put(args[i].substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (opt.containsKey("jfr-summary")) {
            // --jfr-summary FILE [--since ISO-INSTANT]: summarise a recording again
            System.out.println(Flight.summarise(Path.of(opt.get("jfr-summary")),
                    java.time.Instant.parse(opt.getOrDefault("since", "1970-01-01T00:00:00Z"))));
            return;
        }
        if (opt.containsKey("secure-runs")) {
            // --secure-runs a.md,b.md: the secure-vs-plain figures of several runs and their medians
            System.out.print(Report.secureVsPlainRuns(Arrays.asList(opt.get("secure-runs").split(","))));
            return;
        }
        if (opt.containsKey("replot")) {
            replot(opt);
            return;
        }
        if (opt.containsKey("paired")) {
            // --paired A,B [--writes N] [--warmup S]: single writes alternated between two cells running at once
            String[] pair = opt.get("paired").split(",");
            if (opt.containsKey("in-flight")) {
                // --paired A,B --in-flight N [--slices K] [--slice-seconds S]: ABBA slices of N writes in flight
                Paired.runInFlight(Path.of(opt.getOrDefault("home", "distribution/target/chubby")).toAbsolutePath(),
                        Path.of(opt.getOrDefault("work", "benchmarks/target/work")).toAbsolutePath(), pair[0].trim(),
                        pair[1].trim(), Integer.parseInt(opt.get("in-flight")),
                        Integer.parseInt(opt.getOrDefault("slices", "16")),
                        Long.parseLong(opt.getOrDefault("slice-seconds", "6")) * 1000,
                        Long.parseLong(opt.getOrDefault("warmup", "60")) * 1000);
                return;
            }
            Paired.run(Path.of(opt.getOrDefault("home", "distribution/target/chubby")).toAbsolutePath(),
                    Path.of(opt.getOrDefault("work", "benchmarks/target/work")).toAbsolutePath(), pair[0].trim(),
                    pair[1].trim(), Integer.parseInt(opt.getOrDefault("writes", "3000")),
                    Long.parseLong(opt.getOrDefault("warmup", "60")) * 1000);
            return;
        }
        if (opt.containsKey("partitions")) {
            // --partitions 1,2,4,8 [--dirs 64] ...: issue 18's figures, a cell of N partitions per run
            Partitions.run(Path.of(opt.getOrDefault("home", "distribution/target/chubby")).toAbsolutePath(),
                    Path.of(opt.getOrDefault("work", "benchmarks/target/work")).toAbsolutePath(), opt);
            return;
        }
        if (opt.containsKey("proxy-latency")) {
            // --proxy-latency [--replicas R] [--ops N] [--warmup S]: what a proxy adds to writes and reads (issue 17)
            ProxyLatency.run(Path.of(opt.getOrDefault("home", "distribution/target/chubby")).toAbsolutePath(),
                    Path.of(opt.getOrDefault("work", "benchmarks/target/work")).toAbsolutePath(),
                    Integer.parseInt(opt.getOrDefault("replicas", "5")), Integer.parseInt(opt.getOrDefault("ops", "3000")),
                    Long.parseLong(opt.getOrDefault("warmup", "30")) * 1000);
            return;
        }
        boolean quick = opt.containsKey("quick");
        hotReaders = Integer.parseInt(opt.getOrDefault("readers", "1000"));
        Path home = Path.of(opt.getOrDefault("home", "distribution/target/chubby")).toAbsolutePath();
        Path work = Path.of(opt.getOrDefault("work", "benchmarks/target/work")).toAbsolutePath();
        List<String> systems = Arrays.asList(opt.getOrDefault("systems", "chubby,zookeeper,etcd").split(","));
        // sessions (6) last: tens of thousands of sessions left to expire must not disturb the others
        Set<Integer> workloads = new LinkedHashSet<>();
        for (String w : opt.getOrDefault("workloads", "1,2,3,4,5,7,8,6").split(",")) {
            workloads.add(Integer.parseInt(w.trim()));
        }
        Path jfrDir = opt.containsKey("jfr") ? Path.of(opt.get("jfr")).toAbsolutePath() : null;
        Files.createDirectories(work);

        double fsync = Machine.fsyncMedianMs(work, 200);
        String header = String.format(Locale.ROOT,
                "machine: %d cores, fsync (4 KiB append + force) median %.3f ms in %s, load average (1 min) %s at start; "
                        + "mode: %s; workloads %s; date: %s",
                Machine.cores(), fsync, work, Procs.loadAverage(), quick ? "quick" : "full", workloads,
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        System.out.println(header);

        Plan plan = quick ? Plan.QUICK : Plan.FULL;
        if (opt.containsKey("held") || opt.containsKey("hold")) {
            // --held N[,M] (sessions held in 6b, every system but ZooKeeper) and --hold SECONDS
            int[] held = opt.containsKey("held") ? Sizes.parse("held", opt.get("held")) : plan.held();
            long holdMs = opt.containsKey("hold") ? Long.parseLong(opt.get("hold")) * 1000 : plan.holdMs();
            plan = plan.withHeld(held, holdMs);
        }
        if (opt.containsKey("watchers")) {
            // --watchers N[,M]: workload 8 once per size
            plan = plan.withFanOut(Sizes.parse("watchers", opt.get("watchers")));
        }
        if (opt.containsKey("curve")) {
            // --curve SECONDS: how long workload 14 writes
            plan = plan.withCurveMs(Long.parseLong(opt.get("curve")) * 1000);
        }
        List<Result> results = new ArrayList<>();
        List<WarmupCurve.Curve> curves = new ArrayList<>();
        for (String sys : systems) {
            SystemUnderTest sut = switch (sys.trim()) {
                case "chubby" -> new ChubbyCell(home, work.resolve("chubby-cell"), 5, 17000,
                        jfrDir == null ? "" : "-XX:StartFlightRecording=name=bench,settings=default");
                case "chubby-secure" -> new ChubbyCell(home, work.resolve("chubby-secure-cell"), 5, 17000,
                        jfrDir == null ? "" : "-XX:StartFlightRecording=name=bench,settings=default", true);
                case "chubby-proxies" -> new ChubbyCell(home, work.resolve("chubby-proxies-cell"), 5, 17000,
                        (jfrDir == null ? "" : "-XX:StartFlightRecording=name=bench,settings=default ")
                                + opt.getOrDefault("server-opts", "")).throughProxies(
                        Integer.parseInt(opt.getOrDefault("proxies", "4")));
                case "chubby-tls" -> new ChubbyCell(home, work.resolve("chubby-tls-cell"), 5, 17000,
                        jfrDir == null ? "" : "-XX:StartFlightRecording=name=bench,settings=default", true, true);
                case "chubby-metrics-off" -> new ChubbyCell(home, work.resolve("chubby-metrics-off-cell"), 5, 17000,
                        opt.getOrDefault("server-opts", "")).metricsOff();
                case "chubby-scraped" -> new ChubbyCell(home, work.resolve("chubby-scraped-cell"), 5, 17000,
                        opt.getOrDefault("server-opts", "")).scraped();
                case "zookeeper" -> new ZkEnsemble(work.resolve("zookeeper"), 5, 18000, System.getProperty("java.class.path"));
                case "zookeeper-secure" -> new ZkEnsemble(work.resolve("zookeeper-secure"), 5, 18000,
                        System.getProperty("java.class.path"), true);
                case "zookeeper-netty" -> new ZkEnsemble(work.resolve("zookeeper-netty"), 5, 18000,
                        System.getProperty("java.class.path"), false, true);
                case "etcd" -> new EtcdCluster(work.resolve("etcd"), 5, 19000);
                case "etcd-secure" -> new EtcdCluster(work.resolve("etcd-secure"), 5, 19000, true);
                case "etcd-proxies" -> new EtcdCluster(work.resolve("etcd-proxies"), 5, 19000).throughProxies(
                        Integer.parseInt(opt.getOrDefault("proxies", "4")));
                case "zookeeper-observers" -> new ZkEnsemble(work.resolve("zookeeper-observers"), 5, 18000,
                        System.getProperty("java.class.path")).withObservers(Integer.parseInt(opt.getOrDefault("observers", "4")));
                default -> throw new IllegalArgumentException("unknown system " + sys);
            };
            System.out.println("== " + sut.name() + ": starting (load average " + Procs.loadAverage() + ")");
            try (sut) {
                long called = System.nanoTime();
                sut.start();
                long returned = System.nanoTime();
                // --scrape (issue 22): every replica's /metrics once a second while the workloads run
                boolean scrape = (opt.containsKey("scrape") || sut.name().equals("chubby-scraped"))
                        && !sut.metricsUrls().isEmpty();
                MetricsScrape scraper = scrape ? MetricsScrape.start(sut.metricsUrls()) : null;
                long warmMs = opt.containsKey("warmup") ? Long.parseLong(opt.get("warmup")) * 1000 : plan.warmMs();
                if (workloads.contains(14)) {
                    // the warm-up curve runs first, on the cold system; the warm-up is shortened by its length
                    warmMs = Math.max(0, warmMs - curve(sut, plan, called, returned, results, curves));
                }
                long t = System.nanoTime();
                String warm = warmMs == 0 ? "skipped (workload 14 ran at least as long)" : Workloads.warmUp(sut, warmMs);
                System.out.printf(Locale.ROOT, "== %s: warmed up in %.0f s (not measured): %s; load average %s%n",
                        sut.name(), (System.nanoTime() - t) / 1e9, warm, Procs.loadAverage());
                for (int w : workloads) {
                    if (w == 14) {
                        continue; // ran before the warm-up
                    }
                    for (Result r : run(w, sut, plan, jfrDir)) {
                        results.add(print(r));
                    }
                }
                if (scraper != null) {
                    scraper.close();
                    System.out.println("== " + sut.name() + ": " + scraper.summary());
                }
            }
        }
        String table = Report.table(header + "; load average at end " + Procs.loadAverage(), results);
        if (!curves.isEmpty()) {
            table += "\n" + WarmupCurve.markdown(curves);
        }
        System.out.println();
        System.out.println(table);
        if (opt.containsKey("out")) {
            Files.writeString(Path.of(opt.get("out")), table);
        }
        if (opt.containsKey("png")) {
            Plot.write(results, header, Path.of(opt.get("png")));
            System.out.println("plot written to " + opt.get("png"));
        }
    }

    /**
     * {@code --replot a.md,b.md --header TEXT --out FILE --png FILE}: merges result tables (later
     * files replace the same workload+system rows of earlier ones) into one table and plot.
     */
    private static void replot(Map<String, String> opt) throws Exception {
        List<Result> rows = Report.parse(Arrays.asList(opt.get("replot").split(",")));
        // keep each system's rows together, in the order systems first appear
        List<Result> ordered = new ArrayList<>();
        List<String> systems = new ArrayList<>(rows.stream().map(Result::system).distinct().toList());
        systems.sort(java.util.Comparator.comparing(s -> !s.equals("chubby")));
        for (String sys : systems) {
            rows.stream().filter(r -> r.system().equals(sys)).sorted(java.util.Comparator.comparing(Result::workload))
                    .forEach(ordered::add);
        }
        String header = opt.getOrDefault("header", "merged results of " + opt.get("replot"));
        String table = Report.table(header, ordered);
        System.out.println(table);
        if (opt.containsKey("out")) {
            Files.writeString(Path.of(opt.get("out")), table);
        }
        if (opt.containsKey("png")) {
            Plot.write(ordered, header, Path.of(opt.get("png")));
        }
    }

    /**
     * Workload 14 ({@link WarmupCurve}) on the system that just started: prints and records its row
     * and curve; returns how long it ran in ms (the warm-up is shortened by that much).
     */
    private static long curve(SystemUnderTest sut, Plan plan, long called, long returned, List<Result> results,
                              List<WarmupCurve.Curve> curves) {
        long t = System.nanoTime();
        try {
            WarmupCurve.Outcome o = WarmupCurve.run(sut, plan.curveMs(), called, returned);
            curves.add(o.curve());
            results.add(print(o.result()));
        } catch (Exception | Error e) {
            e.printStackTrace();
            results.add(print(failed(14, sut.name(), e)));
        }
        return (System.nanoTime() - t) / 1_000_000;
    }

    /** Sizes of one run. */
    record Plan(long warmMs, int seq, long inflightMs, long readMs, int lockPairs, long contendedMs, long churnMs, int[] held,
                long holdMs, int zkHeld, int failovers, int[] fanOut, long curveMs, int mirrorWrites, long mirrorCutMs) {
        static final Plan QUICK = new Plan(20_000, 300, 5000, 3000, 200, 5000, 4000, new int[] {10_000}, 20_000, 200, 3,
                new int[] {200}, 120_000, 1_000, 10_000);
        static final Plan FULL = new Plan(150_000, 2000, 20000, 10000, 1000, 20000, 10000, new int[] {10_000, 50_000}, 120_000,
                1000, 5, new int[] {1000}, 180_000, 10_000, 30_000);

        Plan withHeld(int[] sizes, long ms) {
            return new Plan(warmMs, seq, inflightMs, readMs, lockPairs, contendedMs, churnMs, sizes, ms,
                    Math.min(zkHeld, sizes[0]), failovers, fanOut, curveMs, mirrorWrites, mirrorCutMs);
        }

        Plan withFanOut(int[] sizes) {
            return new Plan(warmMs, seq, inflightMs, readMs, lockPairs, contendedMs, churnMs, held, holdMs, zkHeld, failovers,
                    sizes, curveMs, mirrorWrites, mirrorCutMs);
        }

        Plan withCurveMs(long ms) {
            return new Plan(warmMs, seq, inflightMs, readMs, lockPairs, contendedMs, churnMs, held, holdMs, zkHeld, failovers,
                    fanOut, ms, mirrorWrites, mirrorCutMs);
        }
    }

    /** Readers of workload 9 ({@code --readers}, default 1,000). */
    private static int hotReaders = 1000;

    private static List<Result> run(int w, SystemUnderTest sut, Plan p, Path jfrDir) throws Exception {
        List<Result> out = new ArrayList<>();
        String sys = sut.name();
        try {
            switch (w) {
                case 1 -> out.add(Workloads.sequentialWrites(sut, p.seq() / 10, p.seq()));
                case 2 -> {
                    java.time.Instant began = java.time.Instant.now();
                    out.add(Workloads.inFlightWrites(sut, 1000, 100, p.inflightMs()));
                    if (jfrDir != null && sut instanceof ChubbyCell) {
                        Flight.dump(sut.leaderPid(), jfrDir, began);
                    }
                }
                case 3 -> {
                    out.add(ReadLockWorkloads.uncachedReads(sut, 100, p.readMs()));
                    out.add(ReadLockWorkloads.cachedReads(sut, p.readMs()));
                }
                case 4 -> out.add(ReadLockWorkloads.uncontendedLocks(sut, p.lockPairs() / 10, p.lockPairs()));
                case 5 -> out.add(ReadLockWorkloads.contendedLocks(sut, 8, p.contendedMs()));
                case 6 -> {
                    out.add(SessionWorkloads.churn(sut, 50, p.churnMs()));
                    if (sys.startsWith("zookeeper")) {
                        // one client object (connection + 2 threads) per ZooKeeper session: 10k is impractical here
                        out.add(SessionWorkloads.hold(sut, p.zkHeld(), 50, p.holdMs()));
                    } else {
                        for (int n : p.held()) {
                            out.add(SessionWorkloads.hold(sut, n, 500, p.holdMs()));
                        }
                    }
                }
                case 7 -> out.add(Failover.run(sut, p.failovers()));
                case 10 -> {
                    out.add(Workloads.plannedChange(sut, p.failovers(), false));
                    if (!sys.startsWith("zookeeper")) {
                        out.add(Workloads.plannedChange(sut, p.failovers(), true));
                    }
                }
                case 11 -> out.addAll(Workloads.membershipChange(sut, p.failovers()));
                case 12 -> out.add(Workloads.mirrorPropagation(sut, p.mirrorWrites()));
                case 13 -> out.addAll(Workloads.mirrorReconciliation(sut, 1_000, p.mirrorCutMs()));
                case 8 -> out.addAll(FanOut.runSizes(sut, p.fanOut(),
                        sys.startsWith("zookeeper") ? FanOut.ZK_WATCHERS : Integer.MAX_VALUE));
                case 9 -> {
                    if (sut instanceof EtcdCluster etcd) {
                        // a grpc-proxy caches serializable reads only; linearizable ones pass through
                        out.add(SessionWorkloads.hotFile(etcd.serializableReads(true), hotReaders, p.readMs(), " (serializable)"));
                        out.add(SessionWorkloads.hotFile(etcd.serializableReads(false), hotReaders, p.readMs(),
                                " (linearizable)"));
                    } else if (sys.startsWith("zookeeper")) {
                        // one client object per ZooKeeper session: the same limit as in 6b
                        out.add(SessionWorkloads.hotFile(sut, Math.min(hotReaders, p.zkHeld()), p.readMs()));
                    } else {
                        out.add(SessionWorkloads.hotFile(sut, hotReaders, p.readMs()));
                    }
                }
                default -> throw new IllegalArgumentException("unknown workload " + w);
            }
        } catch (Exception | Error e) {
            // one failing workload must not hide the others: record the failure as the result
            e.printStackTrace();
            out.add(failed(w, sys, e));
        }
        return out;
    }

    private static Result failed(int w, String sys, Throwable e) {
        return new Result(w + ". (failed)", sys, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0,
                "FAILED: " + String.valueOf(e).replace('|', '/').replace('\n', ' '));
    }

    private static Result print(Result r) {
        System.out.printf(Locale.ROOT, "%-45s %-10s ops/s=%.0f p50=%.3fms p99=%.3fms max=%.3fms n=%d load=%s %s%n", r.workload(),
                r.system(), r.opsPerSec(), r.p50Ms(), r.p99Ms(), r.maxMs(), r.samples(), Procs.loadAverage(), r.note());
        return r;
    }
}
