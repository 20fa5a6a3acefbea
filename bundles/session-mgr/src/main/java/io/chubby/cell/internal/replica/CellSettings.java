package io.chubby.cell.internal.replica;

import io.chubby.spi.Principal;
import java.util.Set;

/**
 * Tuning of the cell edge, from the {@code io.chubby.cell} configuration (the cell name from the
 * replica identity) or set directly in tests and benchmarks.
 *
 * @param cellName          this cell's name (paths may also say {@code local})
 * @param maxContentBytes   largest file contents accepted (TOO_LARGE beyond)
 * @param leaseMillis       session lease granted by each KeepAlive reply
 * @param maxLeaseMillis    longest lease any master may have granted; a new master extends every
 *                          recorded session to now + this on takeover
 * @param keepAliveMarginMillis how long before a lease ends the held KeepAlive is answered
 * @param tickMillis        period of the lease timer (0: no timer thread; tests call tick())
 * @param idleMillis        a session with no handles and no calls for this long is ended (0: never)
 * @param keepAlivesTargetPerSecond the KeepAlive rate the lease policy aims at by lengthening
 *                          leases (0: always grant {@code leaseMillis})
 * @param aclEnforced       fail closed: with no authorizer bound, calls that need one are refused
 * @param feedQueueChanges  changes queued per change-feed listener before its changes are dropped
 *                          and reported as a gap
 * @param proxyPrincipals   TLS certificate CNs of proxies trusted to act on behalf of their clients
 *                          ({@code cell.proxy.principals}; empty: nobody may)
 */
public record CellSettings(String cellName, int maxContentBytes, long leaseMillis, long maxLeaseMillis,
                           long keepAliveMarginMillis, long tickMillis, long idleMillis,
                           long keepAlivesTargetPerSecond, boolean aclEnforced, int feedQueueChanges,
                           Set<String> proxyPrincipals) {

    public static final int DEFAULT_FEED_QUEUE_CHANGES = 100_000;

    /** Settings with the default idle time (60 s) and KeepAlive target (1000/s). */
    public CellSettings(String cellName, int maxContentBytes, long leaseMillis, long maxLeaseMillis,
                        long keepAliveMarginMillis, long tickMillis) {
        this(cellName, maxContentBytes, leaseMillis, maxLeaseMillis, keepAliveMarginMillis, tickMillis, 60_000,
                1_000);
    }

    /** Settings without access-control enforcement and with the default change-feed queue. */
    public CellSettings(String cellName, int maxContentBytes, long leaseMillis, long maxLeaseMillis,
                        long keepAliveMarginMillis, long tickMillis, long idleMillis, long keepAlivesTargetPerSecond) {
        this(cellName, maxContentBytes, leaseMillis, maxLeaseMillis, keepAliveMarginMillis, tickMillis, idleMillis,
                keepAlivesTargetPerSecond, false, DEFAULT_FEED_QUEUE_CHANGES, Set.of());
    }

    public CellSettings {
        if (leaseMillis <= keepAliveMarginMillis) {
            throw new IllegalArgumentException("cell.session.lease.ms (" + leaseMillis
                    + ") must exceed cell.keepalive.margin.ms (" + keepAliveMarginMillis + ")");
        }
        if (maxContentBytes <= 0 || maxLeaseMillis < leaseMillis) {
            throw new IllegalArgumentException("cell.max.content.bytes must be positive and "
                    + "cell.session.max.lease.ms at least cell.session.lease.ms");
        }
        if (feedQueueChanges < 1) {
            throw new IllegalArgumentException("cell.feed.queue.changes must be >= 1, was " + feedQueueChanges);
        }
        proxyPrincipals = Set.copyOf(proxyPrincipals);
        if (proxyPrincipals.contains(Principal.ANONYMOUS.name())) {
            throw new IllegalArgumentException("cell.proxy.principals may not name anonymous: a trusted proxy is "
                    + "a TLS certificate's CN");
        }
    }

    public static CellSettings defaults(String cellName) {
        return new CellSettings(cellName, 262_144, 12_000, 60_000, 1_000, 100);
    }

    /** A copy that enforces access control (fail closed) or not. */
    public CellSettings withAclEnforced(boolean enforced) {
        return new CellSettings(cellName, maxContentBytes, leaseMillis, maxLeaseMillis, keepAliveMarginMillis,
                tickMillis, idleMillis, keepAlivesTargetPerSecond, enforced, feedQueueChanges, proxyPrincipals);
    }

    /** A copy with another change-feed queue bound per listener. */
    public CellSettings withFeedQueueChanges(int changes) {
        return new CellSettings(cellName, maxContentBytes, leaseMillis, maxLeaseMillis, keepAliveMarginMillis,
                tickMillis, idleMillis, keepAlivesTargetPerSecond, aclEnforced, changes, proxyPrincipals);
    }

    /** A copy trusting these proxy principals (TLS certificate CNs) to act on behalf of their clients. */
    public CellSettings withProxyPrincipals(Set<String> principals) {
        return new CellSettings(cellName, maxContentBytes, leaseMillis, maxLeaseMillis, keepAliveMarginMillis,
                tickMillis, idleMillis, keepAlivesTargetPerSecond, aclEnforced, feedQueueChanges, principals);
    }
}
