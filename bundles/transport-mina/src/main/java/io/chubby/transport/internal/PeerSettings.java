package io.chubby.transport.internal;

import io.chubby.spi.Member;
import io.chubby.spi.ReplicaIdentity;
import java.util.List;

/**
 * Settings of a {@link MinaPeerTransport}: identity, the member list (this replica listens on its
 * own {@code peerPort} and connects to everybody else's) and tuning. Built from the
 * {@link MinaPeerTransport.Config} and the {@link ReplicaIdentity} under OSGi, directly elsewhere.
 */
public record PeerSettings(int selfId, String cell, List<Member> members, int maxFrameBytes, long maxQueuedBytes,
        int ioThreads, int handshakeTimeoutSeconds, long backoffMinMs, long backoffMaxMs, TlsSettings tls) {

    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
    public static final long DEFAULT_MAX_QUEUED_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_IO_THREADS = 2;
    public static final int DEFAULT_HANDSHAKE_TIMEOUT_S = 10;
    public static final int DEFAULT_BACKOFF_MIN_MS = 50;
    public static final int DEFAULT_BACKOFF_MAX_MS = 2000;

    public PeerSettings {
        new PeerIdentity(selfId, cell, members); // validates that selfId is a member
        members = List.copyOf(members);
        if (maxFrameBytes < 64) {
            throw new IllegalArgumentException("transport.peer.max.frame.bytes must be >= 64");
        }
        if (backoffMinMs < 1 || backoffMaxMs < backoffMinMs) {
            throw new IllegalArgumentException("need 1 <= transport.peer.backoff.min.ms <= transport.peer.backoff.max.ms");
        }
        if (maxQueuedBytes < 1) {
            throw new IllegalArgumentException("transport.peer.max.queued.bytes must be >= 1, was " + maxQueuedBytes);
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("transport.peer.io.threads must be >= 1, was " + ioThreads);
        }
        if (handshakeTimeoutSeconds < 1) {
            throw new IllegalArgumentException("transport.peer.handshake.timeout.s must be >= 1, was "
                    + handshakeTimeoutSeconds);
        }
        if (tls == null) {
            tls = TlsSettings.OFF;
        }
    }

    /** Defaults for everything but identity and members. */
    public static PeerSettings of(int selfId, String cell, List<Member> members) {
        return new PeerSettings(selfId, cell, members, DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_QUEUED_BYTES,
                DEFAULT_IO_THREADS, DEFAULT_HANDSHAKE_TIMEOUT_S, DEFAULT_BACKOFF_MIN_MS, DEFAULT_BACKOFF_MAX_MS,
                TlsSettings.OFF);
    }

    /** A copy with another reconnect backoff range (tests use short ones). */
    public PeerSettings withBackoff(long minMs, long maxMs) {
        return new PeerSettings(selfId, cell, members, maxFrameBytes, maxQueuedBytes, ioThreads,
                handshakeTimeoutSeconds, minMs, maxMs, tls);
    }

    /** A copy with another limit of bytes queued per peer before messages are dropped. */
    public PeerSettings withMaxQueuedBytes(long bytes) {
        return new PeerSettings(selfId, cell, members, maxFrameBytes, bytes, ioThreads, handshakeTimeoutSeconds,
                backoffMinMs, backoffMaxMs, tls);
    }

    /** A copy with mutual TLS on every link (tls {@link TlsSettings#OFF}: plaintext). */
    public PeerSettings withTls(TlsSettings t) {
        return new PeerSettings(selfId, cell, members, maxFrameBytes, maxQueuedBytes, ioThreads,
                handshakeTimeoutSeconds, backoffMinMs, backoffMaxMs, t);
    }

    static PeerSettings from(MinaPeerTransport.Config c, ReplicaIdentity identity) {
        return new PeerSettings(identity.replicaId(), identity.cellName(), identity.members(),
                c.transport_peer_max_frame_bytes(), c.transport_peer_max_queued_bytes(), c.transport_peer_io_threads(),
                c.transport_peer_handshake_timeout_s(), c.transport_peer_backoff_min_ms(),
                c.transport_peer_backoff_max_ms(), TlsSettings.load("transport.peer.tls.", c.transport_peer_tls_enabled(),
                        c.transport_peer_tls_cert(), c.transport_peer_tls_key(), c.transport_peer_tls_ca(),
                        c.transport_peer_tls_password(), TlsSettings.ClientAuth.NEED));
    }

    PeerIdentity identity() {
        return new PeerIdentity(selfId, cell, members);
    }
}
