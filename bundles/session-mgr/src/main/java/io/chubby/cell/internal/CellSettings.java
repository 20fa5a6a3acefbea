package io.chubby.cell.internal;

/**
 * Tuning of the cell edge, from the {@code io.chubby.replica} configuration or set directly in
 * tests and benchmarks.
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
 */
public record CellSettings(String cellName, int maxContentBytes, long leaseMillis, long maxLeaseMillis,
                           long keepAliveMarginMillis, long tickMillis, long idleMillis,
                           long keepAlivesTargetPerSecond) {

    /** Settings with the default idle time (60 s) and KeepAlive target (1000/s). */
    public CellSettings(String cellName, int maxContentBytes, long leaseMillis, long maxLeaseMillis,
                        long keepAliveMarginMillis, long tickMillis) {
        this(cellName, maxContentBytes, leaseMillis, maxLeaseMillis, keepAliveMarginMillis, tickMillis, 60_000,
                1_000);
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
    }

    public static CellSettings defaults(String cellName) {
        return new CellSettings(cellName, 262_144, 12_000, 60_000, 1_000, 100);
    }

    static CellSettings from(CellServer.Config c) {
        return new CellSettings(c.cell_name(), c.cell_max_content_bytes(), c.cell_session_lease_ms(),
                c.cell_session_max_lease_ms(), c.cell_keepalive_margin_ms(), c.cell_timer_tick_ms(),
                c.cell_session_idle_ms(), c.cell_keepalive_target_per_s());
    }
}
