package io.chubby.sim;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * The simulated network's fault model: per-message loss, duplication and random delay (which
 * reorders), plus blocked directed links (a partition is a set of them; one-way partitions block
 * only one direction). Delivery scheduling is the {@link Simulation}'s job.
 */
final class SimNetwork {
    private final Random rnd;
    private final Set<Long> blocked = new HashSet<>();
    double loss;
    double duplicate;
    int minDelay = 1;
    int maxDelay;

    SimNetwork(Random rnd) {
        this.rnd = rnd;
    }

    void block(int from, int to) {
        blocked.add(link(from, to));
    }

    void healAll() {
        blocked.clear();
    }

    boolean isBlocked(int from, int to) {
        return blocked.contains(link(from, to));
    }

    /** How many copies of a message from {@code from} to {@code to} arrive (0 = lost). */
    int copies(int from, int to) {
        if (isBlocked(from, to) || rnd.nextDouble() < loss) {
            return 0;
        }
        return rnd.nextDouble() < duplicate ? 2 : 1;
    }

    int delay() {
        return minDelay + rnd.nextInt(Math.max(1, maxDelay - minDelay + 1));
    }

    private static long link(int from, int to) {
        return ((long) from << 32) | to;
    }
}
