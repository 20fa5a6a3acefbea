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
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(f))) {
                String[] c = line.split("\\|", -1);
                if (c.length < 11 || !line.startsWith("| ") || c[1].trim().equals("workload")) {
                    continue;
                }
                Result r = new Result(c[1].trim(), c[2].trim(), num(c[3]), num(c[4]), num(c[5]), num(c[6]),
                        Integer.parseInt(c[7].trim()), c[9].trim());
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
        b.append("| workload | system | ops/s | p50 ms | p99 ms | max ms | n | ratio ours/peer | note |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---|---|\n");
        Map<String, Result> ours = new LinkedHashMap<>();
        for (Result r : results) {
            if (r.system().equals("chubby")) {
                ours.put(r.workload(), r);
            }
        }
        for (Result r : results) {
            String ratio = "";
            Result o = ours.get(r.workload());
            if (o != null && r != o && !Double.isNaN(o.p50Ms()) && !Double.isNaN(r.p50Ms())) {
                ratio = Double.isNaN(r.opsPerSec())
                        ? String.format(Locale.ROOT, "p50 %.2fx (lower is better)", o.p50Ms() / r.p50Ms())
                        : String.format(Locale.ROOT, "throughput %.2fx, p50 %.2fx", o.opsPerSec() / r.opsPerSec(),
                                o.p50Ms() / r.p50Ms());
            }
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %d | %s | %s |%n", r.workload(),
                    r.system(), Double.isNaN(r.opsPerSec()) ? "-" : String.format(Locale.ROOT, "%.0f", r.opsPerSec()),
                    ms(r.p50Ms()), ms(r.p99Ms()), ms(r.maxMs()), r.samples(), ratio, r.note()));
        }
        return b.toString();
    }
}
