package io.chubby.paxos.core;

import java.util.Arrays;

/**
 * A value accepted (or chosen) in one log slot.
 *
 * <p>The Paxos value of a slot is the pair ({@code epoch}, {@code value}): {@code epoch} is the
 * epoch of the master that first proposed the command, and it travels with the command when a
 * later master re-proposes it. So every replica applies a chosen slot with the same epoch, which
 * {@code StateMachine.apply(index, epoch, command)} needs to be deterministic. {@code ballot} is
 * the ballot under which this copy was accepted; it differs between replicas and is not part of
 * the value.
 *
 * @param index  log slot, from 1
 * @param ballot ballot under which it was accepted
 * @param epoch  epoch of the master that first proposed it
 * @param value  the command; empty = no-op (written by a new master for holes and as its barrier)
 */
public record Entry(long index, Ballot ballot, long epoch, byte[] value) {

    private static final byte[] EMPTY = new byte[0];

    public Entry {
        if (index < 1 || ballot == null) {
            throw new IllegalArgumentException("bad entry index=" + index);
        }
        value = value == null ? EMPTY : value;
    }

    public boolean isNoop() {
        return value.length == 0;
    }

    /** The same value (epoch and command) stamped with another ballot, for a re-proposal. */
    public Entry withBallot(Ballot b) {
        return b.equals(ballot) ? this : new Entry(index, b, epoch, value);
    }

    /** Same Paxos value (epoch and bytes), ignoring index and ballot. */
    public boolean sameValue(Entry o) {
        return epoch == o.epoch && Arrays.equals(value, o.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e && e.index == index && e.ballot.equals(ballot) && sameValue(e);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Entry[" + index + "@" + ballot + " e=" + epoch + " " + value.length + "B]";
    }
}
