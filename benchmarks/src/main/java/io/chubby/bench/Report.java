package io.chubby.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders results as a markdown table with ours/peer ratios. */
final class Report {
    private Report() {
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
            if (o != null && r != o) {
                ratio = Double.isNaN(r.opsPerSec())
                        ? String.format(Locale.ROOT, "p50 %.2fx (lower is better)", o.p50Ms() / r.p50Ms())
                        : String.format(Locale.ROOT, "throughput %.2fx, p50 %.2fx", o.opsPerSec() / r.opsPerSec(),
                                o.p50Ms() / r.p50Ms());
            }
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %.3f | %.3f | %d | %s | %s |%n", r.workload(),
                    r.system(), Double.isNaN(r.opsPerSec()) ? "-" : String.format(Locale.ROOT, "%.0f", r.opsPerSec()),
                    r.p50Ms(), r.p99Ms(), r.maxMs(), r.samples(), ratio, r.note()));
        }
        return b.toString();
    }
}
