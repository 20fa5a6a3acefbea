package io.chubby.faults;

import java.util.List;
import java.util.Map;

/**
 * What a fault-injection run did and found.
 *
 * @param seed          the nemesis and workload seed
 * @param faults        faults injected in total
 * @param faultsByKind  faults per kind
 * @param ok            operations answered
 * @param fail          operations that certainly had no effect (refused CAS, failed reads)
 * @param unknown       operations of unknown outcome
 * @param anomalies     what the checks found (must be empty)
 * @param runMillis     wall time of the whole run (start of cell to end of checks)
 * @param convergence   the replicas' final applied index / checksum, as text
 * @param events        counted worker events (lock acquires, accepted/rejected protected writes,
 *                      ephemeral files seen held and seen deleted, ...): shows the checks had data
 */
public record RunSummary(long seed, int faults, Map<String, Integer> faultsByKind, long ok, long fail,
                         long unknown, List<String> anomalies, long runMillis, String convergence,
                         Map<String, Integer> events) {
    public RunSummary {
        faultsByKind = Map.copyOf(faultsByKind);
        events = Map.copyOf(events);
        anomalies = List.copyOf(anomalies);
    }

    public boolean clean() {
        return anomalies.isEmpty();
    }

    /** The one-line summary. */
    public String line() {
        return String.format("SUMMARY seed=%d faults=%d %s operations=%d (ok=%d fail=%d unknown=%d) anomalies=%d runtime=%.1fs",
                seed, faults, new java.util.TreeMap<>(faultsByKind), ok + fail + unknown, ok, fail, unknown,
                anomalies.size(), runMillis / 1000.0);
    }

    /** The summary line, then the event counts, then one line per anomaly, then the final replica states. */
    public String report() {
        StringBuilder sb = new StringBuilder(line()).append('\n');
        sb.append("EVENTS ").append(new java.util.TreeMap<>(events)).append('\n');
        anomalies.forEach(a -> sb.append("ANOMALY ").append(a).append('\n'));
        sb.append("FINAL ").append(convergence).append('\n');
        return sb.toString();
    }
}
