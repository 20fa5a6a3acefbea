package io.chubby.bench;

import io.chubby.api.CreateMode;
import io.chubby.api.OpenOptions;
import io.chubby.api.PartitionHash;
import io.chubby.client.ChubbyClient;
import io.chubby.client.Handle;
import io.chubby.client.ReplicaStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 18's figures (docs/PARTITIONING.md section 7): {@code Bench --partitions 1,2,4,8 [--dirs 64]
 * [--window 1000] [--seconds 30] [--warmup 60] [--single-pairs 3] [--writes 5000] [--single-warmup
 * 8000] [--out FILE]}.
 *
 * <p>Part 1, per N in turn: a 5-replica cell of N partitions ({@code cell up --partitions N}); files
 * in {@code --dirs} directories below the bench directory (4 files each; a directory's files live
 * on hash(directory) mod N, and the spread of the directories over the partitions is printed);
 * {@code --window} writes in flight over all the files, unmeasured for {@code --warmup} seconds,
 * then measured for {@code --seconds}. Reported: throughput, p50/p99, CPU per committed write at
 * each replica ({@code /proc/PID/stat} deltas over the measured window, the replicas' pids from
 * Status), the groups each replica masters, and each replica's share of the master work (the
 * entries committed, over the window, in the groups it masters). From N = 1 the projection for 5
 * machines: {@code 5m / (m + 4f)}, m and f the master's and a follower's CPU per write; and per N the
 * bound its own measured costs give, one replica per machine: 1000 / the busiest replica's CPU ms per
 * write, in writes/s per core (what partitioning costs per write counts there, not only its spread).
 *
 * <p>Part 2 ({@code --single-pairs K}): single write p50, N = 4 against N = 1. One client writes
 * 100 bytes to one file sequentially, {@code --single-warmup} writes unmeasured, then {@code
 * --writes} measured; the two cells run one after the other, ABAB... K times each (never at once:
 * two cells at once saturate 2 cores). Each run's p50, the medians and their ratio.
 */
final class Partitions {
    private static final int FILES_PER_DIR = 4;
    private static final int BASE_PORT = 17000;

    private Partitions() {
    }

    /** One N's part-1 figures. */
    record Run(int n, Result writes, int[] dirsPerPartition, double[] cpuMsPerWrite, List<List<Integer>> mastered,
               double[] masterShare) {
        /** The replica (0-based) mastering group 0, the only master at N = 1. */
        int masterOfGroup0() {
            for (int r = 0; r < mastered.size(); r++) {
                if (mastered.get(r).contains(0)) {
                    return r;
                }
            }
            return -1;
        }
    }

    static void run(Path home, Path work, Map<String, String> opt) throws Exception {
        int[] counts = Arrays.stream(opt.get("partitions").split(",")).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
        int dirs = Integer.parseInt(opt.getOrDefault("dirs", "64"));
        int window = Integer.parseInt(opt.getOrDefault("window", "1000"));
        long measureMs = Long.parseLong(opt.getOrDefault("seconds", "30")) * 1000;
        long warmMs = Long.parseLong(opt.getOrDefault("warmup", "60")) * 1000;
        int pairs = Integer.parseInt(opt.getOrDefault("single-pairs", "3"));
        int writes = Integer.parseInt(opt.getOrDefault("writes", "5000"));
        int singleWarm = Integer.parseInt(opt.getOrDefault("single-warmup", "8000"));
        Files.createDirectories(work);
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "machine: %d cores, fsync median %.3f ms, load average %s at start; %s%n%n",
                Machine.cores(), Machine.fsyncMedianMs(work, 200), Procs.loadAverage(),
                "Bench --partitions " + opt.get("partitions") + " --dirs " + dirs + " --window " + window + " --seconds "
                        + measureMs / 1000 + " --warmup " + warmMs / 1000 + " --single-pairs " + pairs + " --writes "
                        + writes + " --single-warmup " + singleWarm));
        List<Run> runs = new ArrayList<>();
        for (int n : counts) {
            Run r = inFlight(home, work, n, dirs, window, measureMs, warmMs);
            runs.add(r);
            System.out.println(row(r));
        }
        md.append(table(runs, window, dirs)).append('\n').append(projection(runs)).append('\n');
        if (pairs > 0) {
            md.append(singles(home, work, pairs, writes, singleWarm));
        }
        md.append(String.format(Locale.ROOT, "%nload average at end %s%n", Procs.loadAverage()));
        System.out.println();
        System.out.println(md);
        if (opt.containsKey("out")) {
            Files.writeString(Path.of(opt.get("out")), md.toString());
        }
    }

    private static Run inFlight(Path home, Path work, int n, int dirs, int window, long measureMs, long warmMs)
            throws Exception {
        System.out.println("== N = " + n + ": starting (load average " + Procs.loadAverage() + ")");
        try (ChubbyCell cell = new ChubbyCell(home, work.resolve("chubby-p" + n), 5, BASE_PORT, "").partitioned(n)) {
            cell.start();
            try (ChubbyClient c = cell.connect()) {
                int[] perPartition = new int[n];
                List<Handle> files = new ArrayList<>();
                for (int d = 0; d < dirs; d++) {
                    c.ensureDirectory(ChubbyCell.DIR + "d" + d);
                    perPartition[PartitionHash.slotOf(ChubbyCell.REL + "d" + d) % n]++;
                    for (int f = 0; f < FILES_PER_DIR; f++) {
                        files.add(c.open(ChubbyCell.DIR + "d" + d + "/f" + f, OpenOptions.write().withCreate(CreateMode.MAY)));
                    }
                }
                int k = files.size();
                Result warm = ReadLockWorkloads.windowed("warm-up", "chubby-p" + n, window, warmMs,
                        i -> files.get(i % k).setContentsAsync(Workloads.VALUE));
                System.out.printf(Locale.ROOT, "== N = %d: warmed up: %d writes (%s); load average %s%n", n,
                        warm.samples(), warm.note().isEmpty() ? "0 failed" : warm.note(), Procs.loadAverage());
                List<ReplicaStatus> before = cell.statuses();
                double[] cpu0 = before.stream().mapToDouble(s -> Procs.cpuSeconds(s.pid())).toArray();
                // every write acknowledged while the CPU is counted (windowed's own first 2 s and its drain too)
                java.util.concurrent.atomic.AtomicLong committed = new java.util.concurrent.atomic.AtomicLong();
                Result w = ReadLockWorkloads.windowed("writes, " + window + " in flight over " + dirs + " directories",
                        "chubby-p" + n, window, measureMs, i -> files.get(i % k).setContentsAsync(Workloads.VALUE)
                                .whenComplete((v, e) -> {
                                    if (e == null) {
                                        committed.incrementAndGet();
                                    }
                                }));
                double[] cpu1 = before.stream().mapToDouble(s -> Procs.cpuSeconds(s.pid())).toArray();
                List<ReplicaStatus> after = cell.statuses();
                if (after.size() != before.size()) {
                    throw new IllegalStateException("N = " + n + ": " + before.size() + " replicas answered Status before "
                            + "the window, " + after.size() + " after");
                }
                double[] perWrite = new double[before.size()];
                for (int r = 0; r < perWrite.length; r++) {
                    perWrite[r] = (cpu1[r] - cpu0[r]) * 1000 / committed.get();
                }
                return new Run(n, w, perPartition, perWrite, mastered(after, n), masterShare(before, after, n));
            }
        }
    }

    /** Per replica (in Status order), the groups it says it masters. */
    private static List<List<Integer>> mastered(List<ReplicaStatus> statuses, int n) {
        List<List<Integer>> out = new ArrayList<>();
        for (ReplicaStatus s : statuses) {
            out.add(groups(s, n).entrySet().stream().filter(e -> e.getValue().isMaster()).map(Map.Entry::getKey).toList());
        }
        return out;
    }

    /** Per replica, its share of the entries committed over the window in the groups it mastered at the end. */
    private static double[] masterShare(List<ReplicaStatus> before, List<ReplicaStatus> after, int n) {
        double[] share = new double[after.size()];
        double total = 0;
        for (int r = 0; r < after.size(); r++) {
            Map<Integer, GroupView> b = groups(before.get(r), n);
            for (Map.Entry<Integer, GroupView> g : groups(after.get(r), n).entrySet()) {
                if (g.getValue().isMaster() && b.containsKey(g.getKey())) {
                    share[r] += g.getValue().commitIndex() - b.get(g.getKey()).commitIndex();
                }
            }
            total += share[r];
        }
        for (int r = 0; r < share.length; r++) {
            share[r] = total == 0 ? 0 : share[r] / total;
        }
        return share;
    }

    /** A group as one replica sees it. */
    private record GroupView(boolean isMaster, long commitIndex) {
    }

    /** A replica's groups: its group list, or (a cell of one partition) its own fields as group 0. */
    private static Map<Integer, GroupView> groups(ReplicaStatus s, int n) {
        Map<Integer, GroupView> out = new LinkedHashMap<>();
        if (s.groups().isEmpty()) {
            out.put(0, new GroupView(s.isMaster(), s.commitIndex()));
        }
        for (ReplicaStatus.Group g : s.groups()) {
            out.put(g.group(), new GroupView("master".equals(g.role()), g.commitIndex()));
        }
        return out;
    }

    private static String row(Run r) {
        return String.format(Locale.ROOT, "N = %d: %.0f writes/s, p50 %.2f ms, p99 %.2f ms, CPU ms/write %s, masters %s, "
                + "master share %s, directories per partition %s%s", r.n(), r.writes().opsPerSec(), r.writes().p50Ms(),
                r.writes().p99Ms(), fmt(r.cpuMsPerWrite(), "%.3f"), r.mastered(), fmt(r.masterShare(), "%.2f"),
                Arrays.toString(r.dirsPerPartition()), r.writes().note().isEmpty() ? "" : " (" + r.writes().note() + ")");
    }

    private static String table(List<Run> runs, int window, int dirs) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "### %d writes in flight over %d directories, 5 replicas%n%n", window, dirs));
        t.append("| N | writes/s | p50 ms | p99 ms | CPU ms per write, replicas 1-5 (sum) | 5 machines: writes/s per core "
                + "(1000 / busiest replica's ms) | groups mastered, replicas 1-5 | share of master work, replicas 1-5 "
                + "| directories per partition | failed |\n");
        t.append("|---:|---:|---:|---:|---|---:|---|---|---|---|\n");
        for (Run r : runs) {
            t.append(String.format(Locale.ROOT, "| %d | %.0f | %.2f | %.2f | %s (%.3f) | %.0f | %s | %s | %s | %s |%n", r.n(),
                    r.writes().opsPerSec(), r.writes().p50Ms(), r.writes().p99Ms(), fmt(r.cpuMsPerWrite(), "%.3f"),
                    Arrays.stream(r.cpuMsPerWrite()).sum(), 1000 / Arrays.stream(r.cpuMsPerWrite()).max().orElse(Double.NaN),
                    r.mastered(), fmt(r.masterShare(), "%.2f"),
                    Arrays.toString(r.dirsPerPartition()), r.writes().note().isEmpty() ? "0" : r.writes().note()));
        }
        return t.toString();
    }

    /** The 5-machine projection from N = 1's master and follower CPU per write. */
    static String projection(List<Run> runs) {
        Run one = runs.stream().filter(r -> r.n() == 1).findFirst().orElse(null);
        if (one == null || one.masterOfGroup0() < 0) {
            return "(no N = 1 run with a master found: no projection)\n";
        }
        int m = one.masterOfGroup0();
        double master = one.cpuMsPerWrite()[m];
        double follower = 0;
        int followers = 0;
        for (int r = 0; r < one.cpuMsPerWrite().length; r++) {
            if (r != m) {
                follower += one.cpuMsPerWrite()[r];
                followers++;
            }
        }
        follower /= followers;
        return String.format(Locale.ROOT, "Projection for 5 machines (one replica each, c cores), from N = 1: master m = "
                + "%.3f ms CPU per write, follower f = %.3f ms. N = 1 is bounded by c / m = %.0f writes/s per core; "
                + "N >= 5 with the masters spread by 5c / (m + 4f) = %.0f writes/s per core: a speed-up of "
                + "5m / (m + 4f) = %.2fx.%n", master, follower, 1000 / master, 5000 / (master + 4 * follower),
                5 * master / (master + 4 * follower));
    }

    /** Part 2: single write p50, N = 4 and N = 1 in turn, {@code pairs} times each. */
    private static String singles(Path home, Path work, int pairs, int writes, int warm) throws Exception {
        List<Double> one = new ArrayList<>();
        List<Double> four = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            one.add(single(home, work, 1, writes, warm));
            four.add(single(home, work, 4, writes, warm));
        }
        double m1 = median(one);
        double m4 = median(four);
        return String.format(Locale.ROOT, "### Single write p50, N = 4 against N = 1 (runs alternated, %d each, %d writes "
                + "after %d)%n%n| N | p50 of each run, ms | median |%n|---:|---|---:|%n| 1 | %s | %.3f |%n| 4 | %s | %.3f |%n%n"
                + "N = 4 / N = 1: %.3f%n", pairs, writes, warm, fmt(one), m1, fmt(four), m4, m4 / m1);
    }

    private static double single(Path home, Path work, int n, int writes, int warm) throws Exception {
        System.out.println("== single writes, N = " + n + ": starting (load average " + Procs.loadAverage() + ")");
        Path dir = work.resolve("chubby-single-p" + n);
        try (ChubbyCell cell = new ChubbyCell(home, dir, 5, BASE_PORT, "").partitioned(n)) {
            cell.start();
            try (ChubbyClient c = cell.connect(); Handle h = c.open(ChubbyCell.DIR + "single",
                    OpenOptions.write().withCreate(CreateMode.MAY))) {
                for (int i = 0; i < warm; i++) {
                    h.setContents(Workloads.VALUE);
                }
                Stats s = new Stats();
                for (int i = 0; i < writes; i++) {
                    long t = System.nanoTime();
                    h.setContents(Workloads.VALUE);
                    s.add(System.nanoTime() - t);
                }
                System.out.printf(Locale.ROOT, "== single writes, N = %d: p50 %.3f ms, p99 %.3f ms%n", n,
                        s.percentileMs(50), s.percentileMs(99));
                return s.percentileMs(50);
            }
        } finally {
            deleteTree(dir); // a fresh cell each run: cell up refuses a new N on a cell that holds data
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String fmt(double[] xs, String f) {
        return String.join(" / ", Arrays.stream(xs).mapToObj(x -> String.format(Locale.ROOT, f, x)).toList());
    }

    private static String fmt(List<Double> xs) {
        return String.join(", ", xs.stream().map(x -> String.format(Locale.ROOT, "%.3f", x)).toList());
    }
}
