package io.chubby.sim;

import io.chubby.paxos.core.Message;

/**
 * A peer message of the Paxos-level {@link Simulation} on the wire: the core's message and the
 * group it belongs to, as GroupHost's {@code Grouped} carries it (the core's messages do not know
 * their group). The network loses, duplicates and reorders envelopes; the receiving replica routes
 * each to the node of its group.
 */
record SimEnvelope(int group, Message message) {
    @Override
    public String toString() {
        return "g" + group + " " + message;
    }
}
