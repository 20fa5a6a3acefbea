package io.chubby.cell.internal.master;

import io.chubby.cell.internal.replica.CellSettings;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a lease the master grants now (Chubby paper 4.1: under load the master lengthens
 * leases from 12 s up to 60 s so it handles fewer KeepAlives). The policy aims at a KeepAlive rate
 * of about {@code targetPerSecond}: with N sessions each sending one KeepAlive per lease, the lease
 * is {@code N * 1000 / target} ms, clamped to [{@code cell.session.lease.ms},
 * {@code cell.session.max.lease.ms}]. It follows the session count both ways, so leases shrink
 * back when load falls. The measured KeepAlive rate is reported as a metric. Thread-safe.
 */
public final class LeasePolicy {
    private final long baseMillis;
    private final long maxMillis;
    private final long targetPerSecond;
    private final AtomicLong keepAlives = new AtomicLong();
    private volatile long leaseMillis;
    private volatile long windowStart = -1;
    private volatile double ratePerSecond;

    public LeasePolicy(CellSettings settings) {
        this.baseMillis = settings.leaseMillis();
        this.maxMillis = settings.maxLeaseMillis();
        this.targetPerSecond = settings.keepAlivesTargetPerSecond();
        this.leaseMillis = baseMillis;
    }

    /** The lease to grant now. */
    public long leaseMillis() {
        return leaseMillis;
    }

    /** Counts one KeepAlive for the rate metric. */
    public void keepAliveReceived() {
        keepAlives.incrementAndGet();
    }

    /** Re-evaluates the lease from the session count (timer thread); updates the rate every second. */
    public void update(long sessions, long nowMillis) {
        long wanted = targetPerSecond <= 0 ? baseMillis : sessions * 1000 / targetPerSecond;
        leaseMillis = Math.max(baseMillis, Math.min(maxMillis, wanted));
        if (windowStart < 0) {
            windowStart = nowMillis;
        } else if (nowMillis - windowStart >= 1000) {
            ratePerSecond = keepAlives.getAndSet(0) * 1000.0 / (nowMillis - windowStart);
            windowStart = nowMillis;
        }
    }

    /** KeepAlives per second over the last measured window. */
    public double keepAlivesPerSecond() {
        return ratePerSecond;
    }
}
