package io.chubby.transport.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.Member;
import java.util.List;

/**
 * Who this replica is to its peers: its id, its cell and the cell's member list (under OSGi from
 * the {@link io.chubby.spi.ReplicaIdentity} service). Construction fails with a typed error when
 * the id is not in the member list, so a peer transport never starts with a wrong identity.
 */
record PeerIdentity(int selfId, String cell, List<Member> members) {

    PeerIdentity {
        if (cell == null || cell.isBlank()) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "cell.name is not configured");
        }
        members = List.copyOf(members);
        if (members.stream().noneMatch(m -> m.id() == selfId)) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT,
                    "replica.id " + selfId + " is not in members " + members);
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
