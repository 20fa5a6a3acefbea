package io.chubby.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders results as a markdown table with ours/peer ratios. */
final class Report {
    private Report() {
    }

    /** Milliseconds with enough digits for sub-microsecond cache hits. */
    static String ms(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return String.format(Locale.ROOT, v < 0.1 ? "%.5f" : "%.3f", v);
    }

    /**
     * Reads the rows of tables written by {@link #table} back; rows of later files replace rows of
     * earlier ones with the same workload and system (to merge a re-run of some workloads).
     */
    static List<Result> parse(List<String> markdownFiles) throws java.io.IOException {
        Map<String, Result> rows = new LinkedHashMap<>();
        for (String f : markdownFiles) {
            // tables written before issue 21 have no CPU column: the header line tells
            boolean cpuColumn = false;
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(f))) {
                String[] c = line.split("\\|", -1);
                if (c.length < 11 || !line.startsWith("| ")) {
                    continue;
                }
                if (c[1].trim().equals("workload")) {
                    cpuColumn = line.contains(CPU_COLUMN);
                    continue;
                }
                Result r = new Result(c[1].trim(), c[2].trim(), num(c[3]), num(c[4]), num(c[5]), num(c[6]),
                        Integer.parseInt(c[7].trim()), c[cpuColumn ? 10 : 9].trim(), cpuColumn ? num(c[8]) : Double.NaN);
                rows.put(r.workload() + "\u0000" + r.system(), r);
            }
        }
        return new java.util.ArrayList<>(rows.values());
    }

    private static double num(String s) {
        s = s.trim();
        return s.equals("-") || s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    static String table(String header, List<Result> results) {
        StringBuilder b = new StringBuilder();
        b.append(header).append("\n\n");
        b.append("| workload | system | ops/s | p50 ms | p99 ms | max ms | n | " + CPU_COLUMN + " | ratio ours/peer | note |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---|---|\n");
        // ours/peer compares like with like: chubby with the plain peers, chubby-secure with the secured ones
        Map<String, Result> ours = new LinkedHashMap<>();
        for (Result r : results) {
            if (r.system().equals("chubby") || r.system().equals("chubby" + SECURE)) {
                ours.put(r.workload() + variant(r.system()), r);
            }
        }
        for (Result r : results) {
            String ratio = "";
            Result o = ours.get(r.workload() + variant(r.system()));
            if (o != null && r != o && !Double.isNaN(o.p50Ms()) && !Double.isNaN(r.p50Ms())) {
                ratio = Double.isNaN(r.opsPerSec())
                        ? String.format(Locale.ROOT, "p50 %.2fx (lower is better)", o.p50Ms() / r.p50Ms())
                        : String.format(Locale.ROOT, "throughput %.2fx, p50 %.2fx", o.opsPerSec() / r.opsPerSec(),
                                o.p50Ms() / r.p50Ms());
                if (!Double.isNaN(o.cpuMsPerOp()) && !Double.isNaN(r.cpuMsPerOp()) && r.cpuMsPerOp() > 0) {
                    ratio += String.format(Locale.ROOT, ", CPU/op %.2fx", o.cpuMsPerOp() / r.cpuMsPerOp());
                }
            }
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %d | %s | %s | %s |%n", r.workload(),
                    r.system(), Double.isNaN(r.opsPerSec()) ? "-" : String.format(Locale.ROOT, "%.0f", r.opsPerSec()),
                    ms(r.p50Ms()), ms(r.p99Ms()), ms(r.maxMs()), r.samples(), ms(r.cpuMsPerOp()), ratio, r.note()));
        }
        String secure = secureVsPlain(results);
        if (!secure.isEmpty()) {
            b.append('\n').append(secure);
        }
        return b.toString();
    }

    /**
     * Header of the CPU column: CPU ms per operation summed over the member processes only
     * (proxies and observers are given apart in the note).
     */
    static final String CPU_COLUMN = "CPU ms/op (members)";

    /** Suffix of a secured variant's system name. */
    static final String SECURE = "-secure";
    /** Suffixes of variants compared with their plain system: secured, and TLS only (chubby-tls). */
    static final java.util.List<String> VARIANTS = java.util.List.of(SECURE, "-tls");

    /** The plain system a variant is compared with, or null for a plain system. */
    static String baseOf(String system) {
        for (String v : VARIANTS) {
            if (system.endsWith(v)) {
                return system.substring(0, system.length() - v.length());
            }
        }
        return null;
    }

    private static String variant(String system) {
        return system.endsWith(SECURE) ? SECURE : "";
    }

    /**
     * The plain systems a variant is compared with: its base, and for a secured variant also the
     * base's Netty variant when it ran ({@code zookeeper-netty}: ZooKeeper's TLS needs Netty).
     */
    static java.util.List<String> baselines(String system) {
        String base = baseOf(system);
        if (base == null) {
            return java.util.List.of();
        }
        return system.endsWith(SECURE) ? java.util.List.of(base, base + "-netty") : java.util.List.of(base);
    }

    private static String label(String variant, String baseline) {
        return baseline.equals(baseOf(variant)) ? variant : variant + " vs " + baseline;
    }

    /** One figure of the secure-vs-plain comparison. */
    record Figure(String name, double value, boolean higherIsBetter) {
    }

    /**
     * The figures of a result compared between plain and secure: latency p50 (sequential writes,
     * cached reads), throughput (everything measured per second), and for held sessions the
     * KeepAlive rate, the master's CPU and the CPU per KeepAlive (from the note).
     */
    static java.util.List<Figure> figures(Result r) {
        java.util.List<Figure> f = new java.util.ArrayList<>();
        String w = r.workload();
        if (w.startsWith("1.") || w.startsWith("3b.")) {
            f.add(new Figure("p50 ms", r.p50Ms(), false));
        }
        if (!Double.isNaN(r.opsPerSec()) && !w.startsWith("6b.")) {
            f.add(new Figure("ops/s", r.opsPerSec(), true));
        }
        if (!Double.isNaN(r.cpuMsPerOp())) {
            f.add(new Figure("CPU ms/op (members)", r.cpuMsPerOp(), false));
        }
        if (w.startsWith("6b.")) {
            f.add(new Figure("sessions created/s", r.opsPerSec(), true));
            java.util.regex.Matcher ka = java.util.regex.Pattern.compile("KeepAlives ([0-9.]+)/s").matcher(r.note());
            java.util.regex.Matcher cpu = java.util.regex.Pattern.compile("master CPU ([0-9.]+)% of one core").matcher(r.note());
            double kaRate = ka.find() ? Double.parseDouble(ka.group(1)) : Double.NaN;
            double cpuPct = cpu.find() ? Double.parseDouble(cpu.group(1)) : Double.NaN;
            if (!Double.isNaN(kaRate)) {
                f.add(new Figure("KeepAlives/s", kaRate, true));
            }
            f.add(new Figure("master CPU % of a core", cpuPct, false));
            if (!Double.isNaN(kaRate) && kaRate > 0) {
                f.add(new Figure("master CPU us per KeepAlive", cpuPct / 100 * 1e6 / kaRate, false));
            }
        }
        return f;
    }

    /**
     * The secured variant beside the plain one, per system and workload, when both ran: the figure,
     * secure / plain, and the overhead (the extra cost per operation: secure / plain - 1 for a
     * latency or a cost, plain / secure - 1 for a throughput).
     */
    static String secureVsPlain(java.util.List<Result> results) {
        Map<String, Result> plain = new LinkedHashMap<>();
        for (Result r : results) {
            if (baseOf(r.system()) == null) {
                plain.put(r.workload() + "\u0000" + r.system(), r);
            }
        }
        StringBuilder b = new StringBuilder();
        for (Result s : results) {
            for (String base : baselines(s.system())) {
                Result p = plain.get(s.workload() + "\u0000" + base);
                if (p == null) {
                    continue;
                }
                java.util.List<Figure> fp = figures(p);
                java.util.List<Figure> fs = figures(s);
                for (int i = 0; i < Math.min(fp.size(), fs.size()); i++) {
                    Figure a = fp.get(i);
                    Figure c = fs.get(i);
                    if (!a.name().equals(c.name()) || Double.isNaN(a.value()) || Double.isNaN(c.value())) {
                        continue;
                    }
                    double ratio = c.value() / a.value();
                    double overhead = a.higherIsBetter() ? a.value() / c.value() - 1 : ratio - 1;
                    b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.2f | %+.1f%% |%n", s.workload(),
                            label(s.system(), base), a.name(), num(a), num(c), ratio, overhead * 100));
                }
            }
        }
        if (b.length() == 0) {
            return "";
        }
        return "Secured variants vs plain, same run (overhead: extra cost per operation)\n\n"
                + "| workload | variant | figure | plain | variant | variant / plain | overhead |\n"
                + "|---|---|---|---:|---:|---:|---:|\n" + b;
    }

    /**
     * The secure-vs-plain figures of several runs (result tables written by {@link #table}): each
     * run's plain and secure values, their medians, and the overhead computed from the medians.
     */
    static String secureVsPlainRuns(java.util.List<String> markdownFiles) throws java.io.IOException {
        java.util.List<java.util.List<Result>> runs = new java.util.ArrayList<>();
        for (String f : markdownFiles) {
            runs.add(parse(java.util.List.of(f)));
        }
        // rows keyed by workload, system (plain name) and figure, in the order of the first run that has them
        Map<String, double[][]> values = new LinkedHashMap<>();
        Map<String, Figure> kind = new LinkedHashMap<>();
        for (int run = 0; run < runs.size(); run++) {
            Map<String, Result> plain = new LinkedHashMap<>();
            for (Result r : runs.get(run)) {
                if (baseOf(r.system()) == null) {
                    plain.put(r.workload() + "\u0000" + r.system(), r);
                }
            }
            for (Result sec : runs.get(run)) {
                for (String base : baselines(sec.system())) {
                    Result p = plain.get(sec.workload() + "\u0000" + base);
                    if (p == null) {
                        continue;
                    }
                    java.util.List<Figure> fp = figures(p);
                    java.util.List<Figure> fs = figures(sec);
                    for (int i = 0; i < Math.min(fp.size(), fs.size()); i++) {
                        if (!fp.get(i).name().equals(fs.get(i).name())) {
                            continue;
                        }
                        String key = sec.workload() + " | " + label(sec.system(), base) + " | " + fp.get(i).name();
                        double[][] v = values.computeIfAbsent(key, k -> new double[2][runs.size()]);
                        if (!kind.containsKey(key)) {
                            for (double[] side : v) {
                                java.util.Arrays.fill(side, Double.NaN);
                            }
                        }
                        kind.put(key, fp.get(i));
                        v[0][run] = fp.get(i).value();
                        v[1][run] = fs.get(i).value();
                    }
                }
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("| workload | variant | figure | plain, per run | variant, per run | plain median | variant median | overhead |\n");
        b.append("|---|---|---|---|---|---:|---:|---:|\n");
        for (Map.Entry<String, double[][]> e : values.entrySet()) {
            Figure f = kind.get(e.getKey());
            double[] pl = e.getValue()[0];
            double[] se = e.getValue()[1];
            double mp = median(pl);
            double ms = median(se);
            if (Double.isNaN(mp) || Double.isNaN(ms)) {
                continue; // not applicable to this system (e.g. cached reads without a client cache)
            }
            double overhead = f.higherIsBetter() ? mp / ms - 1 : ms / mp - 1;
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %+.1f%% |%n", e.getKey(), list(f, pl), list(f, se),
                    num(new Figure(f.name(), mp, f.higherIsBetter())), num(new Figure(f.name(), ms, f.higherIsBetter())),
                    overhead * 100));
        }
        return b.toString();
    }

    private static String list(Figure f, double[] v) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (double x : v) {
            out.add(Double.isNaN(x) ? "-" : num(new Figure(f.name(), x, f.higherIsBetter())));
        }
        return String.join(", ", out);
    }

    /** Median of the values that are not NaN (the mean of the middle two for an even count). */
    static double median(double[] v) {
        double[] x = java.util.Arrays.stream(v).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (x.length == 0) {
            return Double.NaN;
        }
        return x.length % 2 == 1 ? x[x.length / 2] : (x[x.length / 2 - 1] + x[x.length / 2]) / 2;
    }

    private static String num(Figure f) {
        return f.name().contains("ms") ? ms(f.value()) : String.format(Locale.ROOT, f.value() >= 100 ? "%.0f" : "%.2f", f.value());
    }
}
