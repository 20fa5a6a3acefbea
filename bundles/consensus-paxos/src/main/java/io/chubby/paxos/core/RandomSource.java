package io.chubby.paxos.core;

/** Randomness injected into the core (election jitter); seeded in tests so runs replay exactly. */
@FunctionalInterface
public interface RandomSource {
    /** A uniformly distributed value in {@code [0, bound)}; {@code bound > 0}. */
    long nextLong(long bound);
}
