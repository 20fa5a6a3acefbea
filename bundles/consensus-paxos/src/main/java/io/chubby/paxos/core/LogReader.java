package io.chubby.paxos.core;

/**
 * Read access to the replica's durable log of accepted entries, implemented by the edge over its
 * {@code LogStore} (and by the simulator over memory). The core reads through it for promises,
 * catch-up and applying, so it never holds the whole log. It must reflect every entry the edge
 * persisted from a {@link Ready} before {@link PaxosNode#advance} is called.
 */
public interface LogReader {

    /** The accepted entry at {@code index}, or null if none (never accepted, or compacted). */
    Entry entry(long index);

    /** Lowest index present (the first index after the last compaction), or 0 when empty. */
    long firstIndex();

    /** Highest index present, or 0 when empty. */
    long lastIndex();
}
