package io.chubby.console.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether the replicas' states agree, from their Status answers: replicas that applied the same
 * index must report the same checksum (the state at an index is a function of the log). Replicas
 * at different indexes cannot be compared (a follower learns of the last commit a little later
 * than the master): they agree when every index two or more replicas share shows one checksum, and
 * the text names each index; a lone replica at its index is named, never guessed about. Pure.
 *
 * @param verdict {@link Verdict#AGREE}, {@link Verdict#DIFFER} (two replicas at one index with two
 *                checksums: a divergence to investigate) or {@link Verdict#UNKNOWN}
 * @param text    one line for the operator
 */
record Agreement(Verdict verdict, String text) {
    enum Verdict { AGREE, DIFFER, UNKNOWN }

    static Agreement of(List<ReplicaRow> rows) {
        Map<Long, List<ReplicaRow>> byIndex = new TreeMap<>();
        for (ReplicaRow r : rows) {
            if (r.up()) {
                byIndex.computeIfAbsent(r.appliedIndex(), k -> new ArrayList<>()).add(r);
            }
        }
        if (byIndex.isEmpty()) {
            return new Agreement(Verdict.UNKNOWN, "no replica answered");
        }
        for (Map.Entry<Long, List<ReplicaRow>> e : byIndex.entrySet()) {
            if (e.getValue().stream().map(ReplicaRow::checksum).distinct().count() > 1) {
                StringBuilder who = new StringBuilder();
                for (ReplicaRow r : e.getValue()) {
                    who.append(who.isEmpty() ? "" : ", ").append(r.id()).append('=').append(hex(r.checksum()));
                }
                return new Agreement(Verdict.DIFFER, "checksums differ at applied index " + e.getKey() + ": " + who);
            }
        }
        boolean compared = byIndex.values().stream().anyMatch(g -> g.size() > 1);
        StringBuilder text = new StringBuilder(compared ? "agree: " : "not comparable now: ");
        for (Map.Entry<Long, List<ReplicaRow>> e : byIndex.entrySet()) {
            List<ReplicaRow> g = e.getValue();
            text.append(text.charAt(text.length() - 2) == ':' ? "" : "; ")
                    .append(g.size() == 1 ? "replica " : "replicas ")
                    .append(String.join(", ", g.stream().map(r -> Integer.toString(r.id())).toList()))
                    .append(" at applied index ").append(e.getKey()).append(", checksum ").append(hex(g.get(0).checksum()));
        }
        return new Agreement(compared ? Verdict.AGREE : Verdict.UNKNOWN, text.toString());
    }

    static String hex(long checksum) {
        return String.format("%016x", checksum);
    }
}
