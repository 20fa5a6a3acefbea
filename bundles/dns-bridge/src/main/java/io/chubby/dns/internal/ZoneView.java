package io.chubby.dns.internal;

import io.chubby.spi.Member;
import java.util.List;

/**
 * What the zone says at one instant: taken from {@link io.chubby.spi.Consensus} for every query, so
 * answers follow a failover as soon as this replica learns of it.
 *
 * @param cell     cell name; the zone is {@code <cell>.<domain>}
 * @param domain   parent domain, e.g. {@code chubby.}
 * @param masterId the master's replica id, 0 when none is known
 * @param epoch    the master's epoch, 0 when none is known
 * @param members  every replica
 * @param ttl      TTL of every answer, in seconds
 */
record ZoneView(String cell, String domain, int masterId, long epoch, List<Member> members, long ttl) {
    ZoneView {
        members = List.copyOf(members);
    }

    Member master() {
        for (Member m : members) {
            if (m.id() == masterId) {
                return m;
            }
        }
        return null;
    }
}
