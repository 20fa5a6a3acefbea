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

    /** Receives peer messages, on transport threads. */
    @FunctionalInterface
    interface PeerHandler {
        void onMessage(int from, byte[] message);
    }
}
