package io.chubby.paxos.core;

/**
 * A Paxos ballot: totally ordered by {@code round}, then by {@code replica} (the proposer), so two
 * proposers never share a ballot.
 *
 * @param round   proposal round, starts at 1 for a real ballot ({@link #ZERO} is "none")
 * @param replica id of the proposer (0..255, so that {@link #epoch()} is injective)
 */
public record Ballot(long round, int replica) implements Comparable<Ballot> {

    /** The ballot below every real ballot: nothing promised yet. */
    public static final Ballot ZERO = new Ballot(0, 0);

    public Ballot {
        if (round < 0 || replica < 0 || replica > 255) {
            throw new IllegalArgumentException("bad ballot round=" + round + " replica=" + replica);
        }
    }

    /** The epoch of a master holding this ballot: strictly grows with ballot order. */
    public long epoch() {
        return (round << 8) | replica;
    }

    /** The ballot whose {@link #epoch()} is {@code epoch}. */
    public static Ballot ofEpoch(long epoch) {
        return new Ballot(epoch >>> 8, (int) (epoch & 0xff));
    }

    public boolean greaterThan(Ballot other) {
        return compareTo(other) > 0;
    }

    public boolean atLeast(Ballot other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(Ballot o) {
        int c = Long.compare(round, o.round);
        return c != 0 ? c : Integer.compare(replica, o.replica);
    }

    @Override
    public String toString() {
        return round + "." + replica;
    }
}
