package io.chubby.cell.internal.master;

import io.chubby.protocol.KeepAliveRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * What one KeepAlive (a session's own, or its slot in a group call) acknowledged: applied to its
 * {@link Lease} under the {@link SessionLeases} monitor, reported to the {@link SessionLeases.Hooks}
 * after it is released.
 */
final class LeaseAcks {
    private final long sessionId;
    private final List<Long> invalidations = new ArrayList<>();
    private boolean failover;
    private long dropAcked;
    /** The CACHE_DROPPED sent because the call came after the lease end still owing (0 = none). */
    long dropped;

    private LeaseAcks(long sessionId) {
        this.sessionId = sessionId;
    }

    /** Drops what {@code ka} acknowledges from the session's queues. */
    static LeaseAcks apply(long sessionId, Lease l, KeepAliveRequest ka) {
        LeaseAcks a = new LeaseAcks(sessionId);
        while (!l.events.isEmpty() && l.events.peekFirst().getSeq() <= ka.getAckedEventSeq()) {
            l.events.pollFirst();
        }
        for (long id : ka.getAckedInvalidationsList()) {
            if (l.invalidations.remove(id) != null) {
                a.invalidations.add(id);
            }
        }
        // The flag alone cannot say which failover it acknowledges (a client may still carry it
        // for an earlier master's event): it counts only with the event's sequence number acked
        // too. Found by the whole-cell simulation (seed 711: a write went ahead on a stale ack).
        if (ka.getAckedFailover() && l.failoverPending && ka.getAckedEventSeq() >= l.failoverSeq) {
            l.failoverPending = false;
            a.failover = true;
        }
        // The same rule for the flush after CACHE_DROPPED.
        if (ka.getAckedCacheDropped() && l.cacheDropSeq != 0 && ka.getAckedEventSeq() >= l.cacheDropSeq) {
            a.dropAcked = l.cacheDropSeq;
            l.cacheDropSeq = 0;
        }
        return a;
    }

    /** Calls the hooks (outside the monitor). */
    void report(SessionLeases.Hooks hooks) {
        if (!invalidations.isEmpty()) {
            hooks.invalidationsAcked(sessionId, invalidations);
        }
        if (failover) {
            hooks.failoverAcked(sessionId);
        }
        if (dropAcked != 0) {
            hooks.cacheDropAcked(sessionId, dropAcked);
        }
        if (dropped != 0) {
            hooks.cacheDropped(sessionId, dropped);
        }
    }
}
