package io.chubby.spi;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Messages between the replicas of a cell, as opaque bytes. Delivery is best-effort and
 * unordered across reconnects: a message to a peer that is down is dropped, and the transport
 * reconnects in the background with backoff. Consensus must tolerate loss and duplication.
 * Addresses and this replica's id come from the {@link ReplicaConfig} PID.
 */
@ProviderType
public interface PeerTransport {

    /** Sets the handler of inbound messages (replacing any earlier one); null detaches it. */
    void setHandler(PeerHandler handler);

    /** Sends one message to replica {@code to}; never blocks on the network. */
    void send(int to, byte[] message);

    /**
     * The replicas to keep links to from now on (spi 1.8.0, issue 19: the members of the
     * configurations consensus knows, which change through its log): links to new ones are opened
     * (at the addresses given), links to replicas not listed any more are closed, and only listed
     * replicas may connect. This replica itself may be listed. Until the first call, the identity's
     * members. The default (a transport with no links of its own, such as an in-memory one) does nothing.
     */
    default void linkPeers(java.util.Collection<Member> peers) {
    }

    /** Receives peer messages, on transport threads. */
    @FunctionalInterface
    interface PeerHandler {
        void onMessage(int from, byte[] message);
    }
}
