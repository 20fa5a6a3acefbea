package io.chubby.cli.internal.command;

import io.chubby.client.ReplicaStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The partitioned part of {@code chubby cell status} (docs/PARTITIONING.md section 3): one indented
 * line per Paxos group a replica has open, and the groups whose replicas disagree: two replicas
 * that applied a group up to the same index must hold the same checksum there, so a difference is a
 * divergence an operator must see. A cell of one partition is checked on the replica lines
 * themselves (its group 0). Pure.
 */
final class GroupLines {
    private GroupLines() {
    }

    /** The lines under a replica's line: one per group it has open (none in a cell of one partition). */
    static List<String> of(ReplicaStatus s) {
        List<String> out = new ArrayList<>();
        for (ReplicaStatus.Group g : s.groups()) {
            out.add(String.format("  group=%d role=%s master=%s epoch=%d applied=%d checksum=%s sessions=%d nodes=%d",
                    g.group(), g.role(), g.masterId() == 0 ? "-" : Integer.toString(g.masterId()), g.epoch(),
                    g.appliedIndex(), Formats.hex(g.checksum()), g.sessions(), g.nodes()));
        }
        return out;
    }

    /**
     * One line per group and applied index at which the replicas that answered hold different
     * checksums, e.g. {@code checksums differ: group=2 applied=120 replica 1 00..ab, replica 3 00..cd};
     * empty when they agree. {@code answers.get(k)} is replica k + 1's answer, empty when it is down.
     */
    static List<String> disagreements(List<Optional<ReplicaStatus>> answers) {
        // group -> applied index -> checksum -> replicas
        Map<Integer, Map<Long, Map<Long, List<Integer>>>> seen = new TreeMap<>();
        for (int k = 0; k < answers.size(); k++) {
            if (answers.get(k).isEmpty()) {
                continue;
            }
            ReplicaStatus s = answers.get(k).get();
            int replica = s.replicaId() == 0 ? k + 1 : s.replicaId();
            if (s.groups().isEmpty()) {
                record(seen, 0, s.appliedIndex(), s.checksum(), replica);
            }
            for (ReplicaStatus.Group g : s.groups()) {
                record(seen, g.group(), g.appliedIndex(), g.checksum(), replica);
            }
        }
        List<String> out = new ArrayList<>();
        seen.forEach((group, byIndex) -> byIndex.forEach((applied, byChecksum) -> {
            if (byChecksum.size() > 1) {
                List<String> parts = new ArrayList<>();
                byChecksum.forEach((sum, replicas) -> replicas.forEach(r -> parts.add("replica " + r + " "
                        + Formats.hex(sum))));
                out.add("checksums differ: group=" + group + " applied=" + applied + " " + String.join(", ", parts));
            }
        }));
        return out;
    }

    private static void record(Map<Integer, Map<Long, Map<Long, List<Integer>>>> seen, int group, long applied,
                               long checksum, int replica) {
        seen.computeIfAbsent(group, g -> new TreeMap<>()).computeIfAbsent(applied, a -> new TreeMap<>())
                .computeIfAbsent(checksum, c -> new ArrayList<>()).add(replica);
    }
}
