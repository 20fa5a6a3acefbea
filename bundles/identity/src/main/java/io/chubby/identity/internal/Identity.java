package io.chubby.identity.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.NodePath;
import io.chubby.spi.Member;
import io.chubby.spi.ReplicaConfig;
import io.chubby.spi.ReplicaIdentity;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** A validated replica identity: what the identity bundle publishes. Immutable. */
record Identity(String cellName, int replicaId, List<Member> members, String dataDir) implements ReplicaIdentity {
    /** The cell name when {@code cell.name} is not configured. */
    static final String DEFAULT_CELL = NodePath.LOCAL_CELL;

    Identity {
        members = List.copyOf(members);
    }

    /**
     * Reads and checks the identity keys of PID {@value ReplicaConfig#PID} as Config Admin passes
     * them (strings from a {@code .cfg} file, or typed values).
     *
     * @throws IllegalArgumentException listing every problem found, each naming its key
     */
    static Identity from(Map<String, ?> properties) {
        List<String> problems = new ArrayList<>();
        String cell = value(properties, ReplicaConfig.CELL_NAME, problems);
        if (cell == null) {
            cell = DEFAULT_CELL;
        } else {
            try {
                NodePath.root(cell);
            } catch (ChubbyException e) {
                problems.add(ReplicaConfig.CELL_NAME + " \"" + cell + "\" is not a valid cell name ("
                        + e.getMessage() + ")");
            }
        }
        int id = 0;
        String idText = value(properties, ReplicaConfig.REPLICA_ID, problems);
        if (idText == null) {
            problems.add(ReplicaConfig.REPLICA_ID + " is not set");
        } else {
            try {
                id = Integer.parseInt(idText);
            } catch (NumberFormatException e) {
                problems.add(ReplicaConfig.REPLICA_ID + " \"" + idText + "\" is not a number");
            }
        }
        List<Member> members = List.of();
        String membersText = value(properties, ReplicaConfig.MEMBERS, problems);
        if (membersText == null) {
            problems.add(ReplicaConfig.MEMBERS + " is not set (id@host:clientPort:peerPort,...)");
        } else {
            try {
                members = Member.parseList(membersText);
            } catch (IllegalArgumentException e) {
                problems.add(ReplicaConfig.MEMBERS + " \"" + membersText + "\" does not parse: " + e.getMessage());
            }
        }
        int self = id;
        if (id != 0 && !members.isEmpty() && members.stream().noneMatch(m -> m.id() == self)) {
            problems.add(ReplicaConfig.REPLICA_ID + " " + id + " is not in " + ReplicaConfig.MEMBERS + " " + membersText);
        }
        String dataDir = value(properties, ReplicaConfig.DATA_DIR, problems);
        if (dataDir == null) {
            problems.add(ReplicaConfig.DATA_DIR + " is not set");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new Identity(cell, id, members, dataDir);
    }

    /** The trimmed value of {@code key}, null when absent or blank; a list is a problem. */
    private static String value(Map<String, ?> properties, String key, List<String> problems) {
        Object v = properties.get(key);
        if (v == null) {
            return null;
        }
        if (v.getClass().isArray() || v instanceof Collection<?>) {
            problems.add(key + " must be a single value");
            return null;
        }
        String s = v.toString().trim();
        return s.isEmpty() ? null : s;
    }
}
