package io.chubby.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one command-line call costs, side by side: {@code chubby cat} (a new JVM each time) against
 * a 5-replica cell and {@code etcdctl get} (a Go binary) against a 5-member etcd cluster, both
 * clusters running at once, the commands called in turn, round after round (the order rotating),
 * so that a change in the machine's load hits every command alike. Optionally a second Chubby
 * distribution ({@code --baseline DIR}, e.g. one built from an earlier commit) is called against
 * the same cell in the same rounds. Each call is timed from process start to exit, and must exit 0
 * and print the value written before. Two more commands in the same rounds show where a call's
 * time goes: {@code java -version} with bin/chubby's JVM options (the JVM alone), and
 * {@code chubby sequencer show} (the JVM, the archive and picocli, no cell).
 *
 * <p>{@code CliCalls --home DIR --work DIR [--baseline DIR] [--rounds N] [--warm N] [--out FILE]}
 */
final class CliCalls {
    private static final String PATH = "/ls/local/bench-cli";
    private static final String KEY = "bench-cli";
    private static final String JVM_ALONE = "java -version (the JVM alone)";
    private static final String NO_CELL = "chubby sequencer show (no cell)";

    private CliCalls() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path home = Path.of(opt.get("home")).toAbsolutePath();
        Path work = Path.of(opt.get("work")).toAbsolutePath();
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "50"));
        int warm = Integer.parseInt(opt.getOrDefault("warm", "5"));
        Files.createDirectories(work);
        String value = "v".repeat(100);
        String header = String.format(Locale.ROOT, "machine: %d cores, load average (1 min) %s at start; %d rounds after %d"
                        + " unmeasured calls each; date: %s", Machine.cores(), Procs.loadAverage(), rounds, warm,
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        System.out.println(header);

        ChubbyCell cell = new ChubbyCell(home, work.resolve("chubby-cell"), 5, 17000, "");
        EtcdCluster etcd = new EtcdCluster(work.resolve("etcd"), 5, 19000);
        try (cell; etcd) {
            cell.start();
            etcd.start();
            Map<String, List<String>> commands = new LinkedHashMap<>();
            commands.put("chubby", List.of(home.resolve("bin/chubby").toString(), "--cell", cell.cellSpec(), "cat", PATH));
            if (opt.containsKey("baseline")) {
                Path base = Path.of(opt.get("baseline")).toAbsolutePath();
                commands.put("chubby (baseline " + base.getFileName() + ")",
                        List.of(base.resolve("bin/chubby").toString(), "--cell", cell.cellSpec(), "cat", PATH));
            }
            commands.put("etcd", List.of("etcdctl", "--endpoints=" + etcd.endpointList(), "get", KEY,
                    "--print-value-only"));
            Procs.run(work, List.of(home.resolve("bin/chubby").toString(), "--cell", cell.cellSpec(), "put", PATH, value), 60);
            Procs.run(work, List.of("etcdctl", "--endpoints=" + etcd.endpointList(), "put", KEY, value), 60);
            String printed = Procs.run(work, List.of(home.resolve("bin/chubby").toString(), "--cell", cell.cellSpec(),
                    "lock", PATH + "-lock", "--", "sh", "-c", "echo; printf %s \"$CHUBBY_SEQUENCER\""), 60);
            String sequencer = printed.substring(printed.lastIndexOf('\n') + 1); // after lock's own stderr line
            commands.put(JVM_ALONE, List.of("java", "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-Xshare:auto", "-version"));
            commands.put(NO_CELL, List.of(home.resolve("bin/chubby").toString(), "sequencer", "show", sequencer));
            Map<String, String> expected = new HashMap<>();
            commands.keySet().forEach(k -> expected.put(k, k.equals("etcd") ? value + "\n" : value));
            expected.put(JVM_ALONE, "");
            expected.put(NO_CELL, null); // whatever it prints (path=... generation=...)

            Map<String, Stats> stats = new LinkedHashMap<>();
            commands.keySet().forEach(k -> stats.put(k, new Stats()));
            List<String> order = new ArrayList<>(commands.keySet());
            for (int r = -warm; r < rounds; r++) {
                for (String k : order) {
                    long nanos = call(work, commands.get(k), expected.get(k));
                    if (r >= 0) {
                        stats.get(k).add(nanos);
                    }
                }
                order.add(order.remove(0)); // rotate: no command always runs first
            }
            List<Result> results = new ArrayList<>();
            for (var e : stats.entrySet()) {
                Stats s = e.getValue();
                Result res = new Result("9. one CLI read, a new process per call", e.getKey(), Double.NaN, s.percentileMs(50), s.percentileMs(99), s.maxMs(), s.count(),
                        String.format(Locale.ROOT, "p10 %.1f ms, p90 %.1f ms; `%s`", s.percentileMs(10), s.percentileMs(90),
                                String.join(" ", shown(commands.get(e.getKey())))));
                results.add(res);
                System.out.printf(Locale.ROOT, "%-40s p50=%.1fms p90=%.1fms n=%d load=%s%n", e.getKey(), s.percentileMs(50),
                        s.percentileMs(90), s.count(), Procs.loadAverage());
            }
            String table = Report.table(header + "; load average at end " + Procs.loadAverage(), results);
            System.out.println();
            System.out.println(table);
            if (opt.containsKey("out")) {
                Files.writeString(Path.of(opt.get("out")), table);
            }
        }
    }

    /** One call: its wall time in ns; fails unless it exits 0 and prints {@code expected} (null: anything). */
    private static long call(Path cwd, List<String> cmd, String expected) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        long nanos = System.nanoTime() - t0;
        String s = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0 || expected != null && !s.equals(expected)) {
            throw new IOException("exit " + p.exitValue() + " from " + cmd + ", printed " + s);
        }
        return nanos;
    }

    /** The command as the table shows it: paths shortened to their last two parts, the cell elided. */
    private static List<String> shown(List<String> cmd) {
        return Arrays.stream(cmd.toArray(new String[0])).map(a -> a.startsWith("/") && a.contains("/bin/")
                ? a.substring(a.lastIndexOf("/bin/") + 1) : a.contains("127.0.0.1") ? "..." : a).toList();
    }
}
