package io.chubby.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Entry point of {@code benchmarks/run}: {@code Bench --home DIST --work DIR [--quick]
 * [--systems chubby,zookeeper] [--out FILE]}. Prints a markdown table and writes it to FILE.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick")) {
                opt.put("quick", "true");
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                opt.put(args[i].substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        boolean quick = opt.containsKey("quick");
        Path home = Path.of(opt.getOrDefault("home", "distribution/target/chubby")).toAbsolutePath();
        Path work = Path.of(opt.getOrDefault("work", "benchmarks/target/work")).toAbsolutePath();
        List<String> systems = Arrays.asList(opt.getOrDefault("systems", "chubby,zookeeper,etcd").split(","));
        Files.createDirectories(work);

        double fsync = Machine.fsyncMedianMs(work, 200);
        String header = String.format(Locale.ROOT,
                "machine: %d cores, fsync (4 KiB append + force) median %.3f ms in %s; mode: %s; date: %s",
                Machine.cores(), fsync, work, quick ? "quick" : "full", LocalDate.now());
        System.out.println(header);

        int seq = quick ? 300 : 2000;
        long inflightMs = quick ? 5000 : 20000;
        int failovers = quick ? 3 : 5;
        List<Result> results = new ArrayList<>();
        for (String sys : systems) {
            SystemUnderTest sut = switch (sys.trim()) {
                case "chubby" -> new ChubbyCell(home, work.resolve("chubby-cell"), 5, 17000);
                case "zookeeper" -> new ZkEnsemble(work.resolve("zookeeper"), 5, 18000, System.getProperty("java.class.path"));
                case "etcd" -> new EtcdCluster(work.resolve("etcd"), 5, 19000);
                default -> throw new IllegalArgumentException("unknown system " + sys);
            };
            System.out.println("== " + sut.name() + ": starting");
            try (sut) {
                sut.start();
                results.add(print(Workloads.sequentialWrites(sut, seq / 10, seq)));
                results.add(print(Workloads.inFlightWrites(sut, 1000, 100, inflightMs)));
                results.add(print(Workloads.failover(sut, failovers)));
            }
        }
        String table = Report.table(header, results);
        System.out.println();
        System.out.println(table);
        if (opt.containsKey("out")) {
            Files.writeString(Path.of(opt.get("out")), table);
        }
    }

    private static Result print(Result r) {
        System.out.printf(Locale.ROOT, "%-45s %-10s ops/s=%.0f p50=%.3fms p99=%.3fms max=%.3fms n=%d %s%n", r.workload(),
                r.system(), r.opsPerSec(), r.p50Ms(), r.p99Ms(), r.maxMs(), r.samples(), r.note());
        return r;
    }

    static String classpathOf(File... f) {
        return String.join(File.pathSeparator, Arrays.stream(f).map(File::toString).toList());
    }
}
