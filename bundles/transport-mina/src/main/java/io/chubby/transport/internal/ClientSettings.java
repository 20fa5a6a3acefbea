package io.chubby.transport.internal;

import io.chubby.protocol.Frames;
import io.chubby.spi.Member;
import java.net.InetSocketAddress;

/**
 * Settings of a {@link ClientAcceptor}. Built from {@link TransportConfig} under OSGi, or directly
 * by tests and benchmarks (which bind to port 0 and ask {@link ClientAcceptor#localAddress()}).
 */
public record ClientSettings(int replicaId, String cell, InetSocketAddress bind, int maxFrameBytes,
        long maxQueuedBytes, int ioThreads, int handshakeTimeoutSeconds) {

    public ClientSettings {
        if (maxFrameBytes < 64) {
            throw new IllegalArgumentException("transport.max.frame.bytes must be >= 64, was " + maxFrameBytes);
        }
        if (handshakeTimeoutSeconds < 1) {
            throw new IllegalArgumentException("transport.handshake.timeout.s must be >= 1");
        }
    }

    /** Defaults for everything but identity and address. */
    public static ClientSettings of(int replicaId, String cell, InetSocketAddress bind) {
        return new ClientSettings(replicaId, cell, bind, Frames.DEFAULT_MAX_MESSAGE, 64L * 1024 * 1024, 2, 10);
    }

    static ClientSettings from(TransportConfig c) {
        ReplicaIdentity id = ReplicaIdentity.parse(c.replica_id(), c.members(), c.cell_name());
        Member self = id.self();
        return new ClientSettings(id.selfId(), id.cell(), new InetSocketAddress(self.host(), self.clientPort()),
                c.transport_max_frame_bytes(), c.transport_client_max_queued_bytes(), c.transport_io_threads(),
                c.transport_handshake_timeout_s());
    }
}
