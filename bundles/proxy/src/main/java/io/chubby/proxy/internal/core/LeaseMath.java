package io.chubby.proxy.internal.core;

/**
 * The lease arithmetic of a proxy: how much of the master's lease it may count on, and so promise.
 * Counted the way the client library counts its local lease (client README, "Session"): from the
 * later of the send time and the arrival less the longest time a reply may spend in flight, and
 * less a drift margin. A proxy that promises {@code end - now} then never promises more than the
 * master granted.
 *
 * @param marginMillis      a client's held KeepAlive is due this long before the promised lease ends
 * @param driftMargin       fraction of every upstream lease not counted on (clock drift)
 * @param maxReplyDelayMillis the longest a reply is assumed to spend in flight
 */
public record LeaseMath(long marginMillis, double driftMargin, long maxReplyDelayMillis) {
    public LeaseMath {
        if (marginMillis <= 0 || driftMargin < 0 || driftMargin >= 1 || maxReplyDelayMillis < 0) {
            throw new IllegalArgumentException("margin must be > 0, drift in [0,1), reply delay >= 0: " + marginMillis
                    + " " + driftMargin + " " + maxReplyDelayMillis);
        }
    }

    /** The client library's defaults, with the given KeepAlive margin. */
    public static LeaseMath withMargin(long marginMillis) {
        return new LeaseMath(marginMillis, 0.02, 250);
    }

    /** The end of an upstream lease of {@code leaseMillis}, granted by a reply to a call sent at {@code sentAt}. */
    public long end(long sentAt, long arrivedAt, long leaseMillis) {
        return Math.max(sentAt, arrivedAt - maxReplyDelayMillis) + (long) (leaseMillis * (1 - driftMargin));
    }

    /**
     * Whether a held client KeepAlive is due: the lease the proxy promised is within the margin of
     * its end (or nothing was promised yet), and the upstream lease reaches at least two margins
     * further than now (else answering would promise a sliver and the client would ask again at once;
     * an upstream that is not extended, in jeopardy, makes the proxy answer nothing).
     */
    public boolean due(long promisedEnd, long upstreamEnd, long now) {
        return upstreamEnd - now >= 2 * marginMillis && (promisedEnd == 0 || now >= promisedEnd - marginMillis);
    }
}
