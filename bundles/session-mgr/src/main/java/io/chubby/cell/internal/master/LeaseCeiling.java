package io.chubby.cell.internal.master;

/**
 * The lease ceiling on one master (pure; the rule is in the session-mgr README, "Lease
 * ceiling"): the longest lease any master may have promised a client, recorded in the log
 * ({@code SetLeaseCeiling}), so that a new master knows when every client of an earlier master
 * has stopped trusting its cache (a client never uses its cache past the lease it was promised).
 *
 * <ul>
 * <li>Promises: at most the recorded ceiling (none recorded: the max lease), and at most a
 * lowered ceiling this master proposed and has not yet seen applied.</li>
 * <li>Raise: when the policy wants longer leases than recorded, propose the longer value; promise
 * it only once it is applied.</li>
 * <li>Record or lower: only when no promise longer than the new value can still be running: the
 * earlier masters' promises ran out ({@code priorBound} after this takeover), and this master has
 * promised nothing longer since it took over.</li>
 * </ul>
 *
 * Thread-safe (its own monitor): the timer, the apply thread and KeepAlive threads call in.
 */
final class LeaseCeiling {
    private final long maxLeaseMillis;
    private long takeoverAt = Long.MIN_VALUE;
    /** How long after the takeover earlier masters' promises may run; -1 until the takeover settled. */
    private long priorBound = -1;
    /** The longest lease this master has offered since it took over. */
    private long maxPromised;
    /** A record or lowering proposed and not yet seen applied: promises stay at or below it. */
    private long proposedCap = Long.MAX_VALUE;
    private boolean inFlight;
    /** Counts masterships: a proposal's completion clears {@code inFlight} only in its own. */
    private long generation;

    LeaseCeiling(long maxLeaseMillis) {
        this.maxLeaseMillis = maxLeaseMillis;
    }

    /** How long a promise may run when {@code recorded} is the recorded ceiling (0: none recorded). */
    long bound(long recorded) {
        return recorded > 0 ? recorded : maxLeaseMillis;
    }

    /**
     * This replica became master at {@code now}: nothing promised yet in this mastership. A cap
     * from a lowering of an earlier mastership of this replica stays until a record at or below it
     * is seen: that lowering may still be chosen after a lapse at the same epoch (found in review).
     * Returns this mastership's generation.
     */
    synchronized long takeOver(long now) {
        takeoverAt = now;
        priorBound = -1;
        maxPromised = 0;
        inFlight = false;
        return ++generation;
    }

    /** The current mastership's generation (what a proposal made now completes with). */
    synchronized long generation() {
        return generation;
    }

    /**
     * The takeover settled with {@code recorded} applied: returns when the earlier masters'
     * promises have all run out (the takeover time plus the bound; the takeover time alone if no
     * session existed then, as nobody can hold a promise).
     */
    synchronized long settled(long recorded, boolean sessionsAtTakeover) {
        priorBound = sessionsAtTakeover ? bound(recorded) : 0;
        return takeoverAt + priorBound;
    }

    /** The lease to promise now, given what the policy wants and the recorded ceiling. */
    synchronized long cap(long wanted, long recorded) {
        if (recorded > 0 && recorded <= proposedCap) {
            proposedCap = Long.MAX_VALUE; // the record caps at least as tightly now
        }
        long c = Math.min(Math.min(wanted, bound(recorded)), proposedCap);
        maxPromised = Math.max(maxPromised, c);
        return c;
    }

    /**
     * The ceiling to propose now, or 0 for none: a raise to what the policy wants, or, once the
     * takeover settled and nothing longer can be running, a first record or a lowering to it.
     * A proposal returned is in flight until {@link #done}.
     */
    synchronized long proposal(long now, long wanted, long recorded, boolean allowed) {
        if (!allowed || inFlight) {
            return 0;
        }
        long target = target(wanted);
        if (recorded > 0 && wanted > recorded) {
            inFlight = true;
            return target;
        }
        boolean lower = recorded == 0 || target < recorded;
        if (lower && priorBound >= 0 && now >= takeoverAt + priorBound && maxPromised <= target) {
            inFlight = true;
            proposedCap = Math.min(proposedCap, target);
            return target;
        }
        return 0;
    }

    /**
     * The ceiling for a wanted lease: rounded up to the next whole second (within the max lease),
     * so a growing cell records a new ceiling once per second of lease, not once per session.
     */
    private long target(long wanted) {
        return Math.max(wanted, Math.min(maxLeaseMillis, (wanted + 999) / 1000 * 1000));
    }

    /**
     * The proposal made in mastership {@code generation} came back (applied or not). One that failed
     * keeps its cap until a record at or below it is seen.
     */
    synchronized void done(long generation) {
        if (generation == this.generation) {
            inFlight = false;
        }
    }
}
