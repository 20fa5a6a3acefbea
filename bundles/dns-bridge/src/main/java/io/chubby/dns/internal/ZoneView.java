package io.chubby.dns.internal;

import io.chubby.spi.Member;
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
 */
record ZoneView(String cell, String domain, int masterId, long epoch, List<Member> members, long ttl,
                Supplier<List<ProxyTarget>> proxies) {
    ZoneView {
        members = List.copyOf(members);
    }

    /** A zone that lists no proxies (no namespace at hand). */
    ZoneView(String cell, String domain, int masterId, long epoch, List<Member> members, long ttl) {
        this(cell, domain, masterId, epoch, members, ttl, List::of);
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
