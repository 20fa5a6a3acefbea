package io.chubby.dns.internal;

import io.chubby.spi.Member;
import io.chubby.spi.PartitionView;
import java.util.List;
import java.util.function.Supplier;

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
 * @param proxies  the proxies registered with the cell, read when a query needs them (the
 *                 namespace is read only for proxy names, not for every query)
 * @param partitions the replica's partition view (N, hash, each open group's master), read when a
 *                 query names a partition; null without one (no {@code partitions} or {@code p<k>} names)
 */
record ZoneView(String cell, String domain, int masterId, long epoch, List<Member> members, long ttl,
                Supplier<List<ProxyTarget>> proxies, PartitionView partitions) {
    ZoneView {
        members = List.copyOf(members);
    }

    /** A zone without partition names. */
    ZoneView(String cell, String domain, int masterId, long epoch, List<Member> members, long ttl,
             Supplier<List<ProxyTarget>> proxies) {
        this(cell, domain, masterId, epoch, members, ttl, proxies, null);
    }

    /** A zone that lists no proxies (no namespace at hand) and no partition names. */
    ZoneView(String cell, String domain, int masterId, long epoch, List<Member> members, long ttl) {
        this(cell, domain, masterId, epoch, members, ttl, List::of);
    }

    Member master() {
        return member(masterId);
    }

    /** The member of id {@code id}, or null (none: 0). */
    Member member(int id) {
        for (Member m : members) {
            if (m.id() == id) {
                return m;
            }
        }
        return null;
    }
}
