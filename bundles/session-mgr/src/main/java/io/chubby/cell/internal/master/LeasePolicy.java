package io.chubby.cell.internal.master;

import io.chubby.cell.internal.replica.CellSettings;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a lease the master grants now (Chubby paper 4.1: under load the master lengthens
 * leases from 12 s up to 60 s so it handles fewer KeepAlives). The policy aims at a KeepAlive rate
 * of about {@code targetPerSecond}: with N sessions each sending one KeepAlive per lease, the lease
 * is {@code N * 1000 / target} ms, clamped to [{@code cell.session.lease.ms},
 * {@code cell.session.max.lease.ms}]. It follows the session count both ways, so leases shrink
 * back when load falls. What is granted is further capped by the {@link LeaseCeiling} recorded in
 * the log (a master raises the ceiling before it grants more). The measured KeepAlive rate is
 * reported as a metric. Thread-safe: what changes the granted lease runs under this object's
 * monitor; the lease is read without it.
 */
public final class LeasePolicy {
    private final long baseMillis;
    private final long maxMillis;
    private final long targetPerSecond;
    private final LeaseCeiling ceiling;
    private final AtomicLong keepAlives = new AtomicLong();
    /** Every KeepAlive counted since the cell component started (the rate's window resets the other). */
    private final AtomicLong keepAlivesTotal = new AtomicLong();
    private volatile long wantedMillis;
    private volatile long recordedCeiling;
    private volatile long leaseMillis;
    private volatile long windowStart = -1;
    private volatile double ratePerSecond;

    public LeasePolicy(CellSettings settings) {
        this.baseMillis = settings.leaseMillis();
        this.maxMillis = settings.maxLeaseMillis();
        this.targetPerSecond = settings.keepAlivesTargetPerSecond();
        this.ceiling = new LeaseCeiling(maxMillis);
        this.wantedMillis = baseMillis;
        this.leaseMillis = ceiling.cap(baseMillis, 0);
    }

    /** The lease to grant now. */
    public long leaseMillis() {
        return leaseMillis;
    }

    /** The lease the policy would grant were there no ceiling. */
    public long wantedMillis() {
        return wantedMillis;
    }

    /** The lease ceiling recorded in the log as last seen (0: none recorded). */
    public long recordedCeiling() {
        return recordedCeiling;
    }

    /** Counts one KeepAlive for the rate metric. */
    public void keepAliveReceived() {
        keepAlives.incrementAndGet();
        keepAlivesTotal.incrementAndGet();
    }

    /** KeepAlives received since the cell component started (a counter: rate() gives KeepAlives/s). */
    public long keepAlivesReceived() {
        return keepAlivesTotal.get();
    }

    /**
     * Re-evaluates the lease from the session count and the recorded ceiling (timer thread);
     * updates the rate every second.
     */
    public synchronized void update(long sessions, long recorded, long nowMillis) {
        long wanted = targetPerSecond <= 0 ? baseMillis : sessions * 1000 / targetPerSecond;
        wantedMillis = Math.max(baseMillis, Math.min(maxMillis, wanted));
        recordedCeiling = recorded;
        leaseMillis = ceiling.cap(wantedMillis, recorded);
        if (windowStart < 0) {
            windowStart = nowMillis;
        } else if (nowMillis - windowStart >= 1000) {
            ratePerSecond = keepAlives.getAndSet(0) * 1000.0 / (nowMillis - windowStart);
            windowStart = nowMillis;
        }
    }

    /** This replica took over at {@code now}. */
    synchronized void takeOver(long now, long recorded) {
        ceiling.takeOver(now); // the generation is read back by ceilingGeneration()
        recordedCeiling = recorded;
        leaseMillis = ceiling.cap(wantedMillis, recorded);
    }

    /** The takeover settled with {@code recorded} applied: when the earlier masters' promises have all run out. */
    synchronized long settled(long recorded, boolean sessionsAtTakeover) {
        recordedCeiling = recorded;
        leaseMillis = ceiling.cap(wantedMillis, recorded);
        return ceiling.settled(recorded, sessionsAtTakeover);
    }

    /** The ceiling to propose now, or 0 (see {@link LeaseCeiling#proposal}); the cap follows at once. */
    synchronized long ceilingProposal(long now, boolean allowed) {
        long v = ceiling.proposal(now, wantedMillis, recordedCeiling, allowed);
        if (v > 0) {
            leaseMillis = ceiling.cap(wantedMillis, recordedCeiling);
        }
        return v;
    }

    /** The mastership generation a proposal made now belongs to. */
    long ceilingGeneration() {
        return ceiling.generation();
    }

    /** The proposal made in mastership {@code generation} came back. */
    void ceilingProposalDone(long generation) {
        ceiling.done(generation);
    }

    /** KeepAlives per second over the last measured window. */
    public double keepAlivesPerSecond() {
        return ratePerSecond;
    }
}
