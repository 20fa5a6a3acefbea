package io.chubby.transport.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.Member;
import java.util.List;

/**
 * Who this replica is: its id, its cell and the cell's member list, taken from the
 * {@code io.chubby.replica} configuration. Construction fails with a typed error when the id is
 * not in the member list, so a transport never starts with a wrong identity.
 */
record ReplicaIdentity(int selfId, String cell, List<Member> members) {

    ReplicaIdentity {
        if (cell == null || cell.isBlank()) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "cell.name is not configured");
        }
        members = List.copyOf(members);
        if (members.stream().noneMatch(m -> m.id() == selfId)) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT,
                    "replica.id " + selfId + " is not in members " + members);
        }
    }

    /** Parses the configuration values {@code replica.id}, {@code members}, {@code cell.name}. */
    static ReplicaIdentity parse(int replicaId, String members, String cell) {
        if (members == null || members.isBlank()) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "members is not configured");
        }
        try {
            return new ReplicaIdentity(replicaId, cell, Member.parseList(members));
        } catch (IllegalArgumentException e) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "bad members: " + e.getMessage(), e);
        }
    }

    Member self() {
        return member(selfId);
    }

    /** The member with this id, or null. */
    Member member(int id) {
        for (Member m : members) {
            if (m.id() == id) {
                return m;
            }
        }
        return null;
    }
}
