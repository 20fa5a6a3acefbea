package io.chubby.sim;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The simulated network's fault model: per-message loss, duplication and random delay (which
 * reorders), a few messages held for seconds (long delays: an old master's messages then arrive
 * after the next election), plus blocked directed links (a partition is a set of them; one-way
 * partitions block only one direction). Delivery scheduling is the {@link Simulation}'s job.
 */
final class SimNetwork {
    private final Random rnd;
    private final Set<Long> blocked = new HashSet<>();
    /** Links that are down until a true time (a peer's link reconnecting after the target restarted). */
    private final Map<Long, Long> downUntil = new HashMap<>();
    double loss;
    double duplicate;
    int minDelay = 1;
    int maxDelay;
    /** Chance that a message is held for {@code longDelayMin..longDelayMax} ms instead (0 = never). */
    double longDelay;
    int longDelayMin = 1_000;
    int longDelayMax = 5_000;
    /** Messages given a long delay so far. */
    long longDelayed;

    SimNetwork(Random rnd) {
        this.rnd = rnd;
    }

    void block(int from, int to) {
        blocked.add(link(from, to));
    }

    void healAll() {
        blocked.clear();
        downUntil.clear();
    }

    /**
     * The link {@code from -> to} is down until true time {@code until}: what a replica's outbound
     * link to a restarted peer does while it waits out its reconnect backoff (the transport drops
     * what is sent on a link that is down).
     */
    void downUntil(int from, int to, long until) {
        downUntil.merge(link(from, to), until, Math::max);
    }

    boolean isBlocked(int from, int to) {
        return blocked.contains(link(from, to));
    }

    /** Whether some link into {@code to} is still down at true time {@code now} (see {@link #downUntil}). */
    boolean anyLinkDownInto(int to, long now) {
        for (Map.Entry<Long, Long> e : downUntil.entrySet()) {
            if ((int) (long) e.getKey() == to && e.getValue() > now) {
                return true;
            }
        }
        return false;
    }

    /** {@link #copies(int, int, long)} for a simulation that takes no link down for a while. */
    int copies(int from, int to) {
        return copies(from, to, Long.MAX_VALUE);
    }

    /** How many copies of a message from {@code from} to {@code to} sent at true time {@code now} arrive (0 = lost). */
    int copies(int from, int to, long now) {
        if (isBlocked(from, to) || downUntil.getOrDefault(link(from, to), Long.MIN_VALUE) > now
                || rnd.nextDouble() < loss) {
            return 0;
        }
        return rnd.nextDouble() < duplicate ? 2 : 1;
    }

    /** A message's delay: usually {@code minDelay..maxDelay} ms; with chance {@link #longDelay} seconds. */
    int delay() {
        if (longDelay > 0 && rnd.nextDouble() < longDelay) {
            longDelayed++;
            return longDelayMin + rnd.nextInt(Math.max(1, longDelayMax - longDelayMin + 1));
        }
        return minDelay + rnd.nextInt(Math.max(1, maxDelay - minDelay + 1));
    }

    private static long link(int from, int to) {
        return ((long) from << 32) | to;
    }
}
