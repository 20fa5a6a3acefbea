package io.chubby.transport.internal;

import io.chubby.spi.Member;
import java.util.List;

/**
 * Settings of a {@link MinaPeerTransport}: identity, the member list (this replica listens on its
 * own {@code peerPort} and connects to everybody else's) and tuning.
 */
public record PeerSettings(int selfId, String cell, List<Member> members, int maxFrameBytes, long maxQueuedBytes,
        int ioThreads, int handshakeTimeoutSeconds, long backoffMinMs, long backoffMaxMs) {

    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

    public PeerSettings {
        new ReplicaIdentity(selfId, cell, members); // validates that selfId is a member
        members = List.copyOf(members);
        if (maxFrameBytes < 64) {
            throw new IllegalArgumentException("transport.peer.max.frame.bytes must be >= 64");
        }
        if (backoffMinMs < 1 || backoffMaxMs < backoffMinMs) {
            throw new IllegalArgumentException("need 1 <= transport.peer.backoff.min.ms <= transport.peer.backoff.max.ms");
        }
        if (handshakeTimeoutSeconds < 1) {
            throw new IllegalArgumentException("transport.handshake.timeout.s must be >= 1");
        }
    }

    /** Defaults for everything but identity and members. */
    public static PeerSettings of(int selfId, String cell, List<Member> members) {
        return new PeerSettings(selfId, cell, members, DEFAULT_MAX_FRAME_BYTES, 64L * 1024 * 1024, 2, 10, 50, 2000);
    }

    /** A copy with another reconnect backoff range (tests use short ones). */
    public PeerSettings withBackoff(long minMs, long maxMs) {
        return new PeerSettings(selfId, cell, members, maxFrameBytes, maxQueuedBytes, ioThreads,
                handshakeTimeoutSeconds, minMs, maxMs);
    }

    /** A copy with another limit of bytes queued per peer before messages are dropped. */
    public PeerSettings withMaxQueuedBytes(long bytes) {
        return new PeerSettings(selfId, cell, members, maxFrameBytes, bytes, ioThreads, handshakeTimeoutSeconds,
                backoffMinMs, backoffMaxMs);
    }

    static PeerSettings from(TransportConfig c) {
        ReplicaIdentity id = ReplicaIdentity.parse(c.replica_id(), c.members(), c.cell_name());
        return new PeerSettings(id.selfId(), id.cell(), id.members(), c.transport_peer_max_frame_bytes(),
                c.transport_peer_max_queued_bytes(), c.transport_io_threads(), c.transport_handshake_timeout_s(),
                c.transport_peer_backoff_min_ms(), c.transport_peer_backoff_max_ms());
    }

    ReplicaIdentity identity() {
        return new ReplicaIdentity(selfId, cell, members);
    }
}
