package io.chubby.transport.internal;

import io.chubby.protocol.Frames;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The keys of PID {@code io.chubby.replica} this bundle reads. Both components of the bundle share
 * this one type (instead of a nested {@code Config} each) because they are configured from the
 * same PID: one bundle designating one PID with two different object class definitions would
 * give Metatype two conflicting descriptions of the same configuration.
 */
@ObjectClassDefinition(id = "io.chubby.transport", name = "Chubby MINA transports",
        description = "Client acceptor and peer transport of one replica (keys of PID io.chubby.replica).")
public @interface TransportConfig {

    @AttributeDefinition(name = "Replica id", description = "This replica's id in members (1..255).")
    int replica_id();

    @AttributeDefinition(name = "Members", description = "The cell: id@host:clientPort:peerPort,...")
    String members();

    @AttributeDefinition(name = "Cell name", description = "Name of the cell; peers of another cell are rejected.")
    String cell_name();

    @AttributeDefinition(name = "Client max frame bytes", description = "Largest client message accepted; "
            + "a larger frame closes the connection.")
    int transport_max_frame_bytes() default Frames.DEFAULT_MAX_MESSAGE;

    @AttributeDefinition(name = "Client max queued bytes", description = "Bytes of responses queued for a "
            + "client that does not read, beyond which the connection is closed.")
    long transport_client_max_queued_bytes() default 64L * 1024 * 1024;

    @AttributeDefinition(name = "I/O threads", description = "MINA I/O processor threads per transport.")
    int transport_io_threads() default 2;

    @AttributeDefinition(name = "Handshake timeout (s)", description = "A connection that has not completed "
            + "its handshake within this many seconds is closed.")
    int transport_handshake_timeout_s() default 10;

    @AttributeDefinition(name = "Peer max frame bytes", description = "Largest peer message sent or accepted.")
    int transport_peer_max_frame_bytes() default 16 * 1024 * 1024;

    @AttributeDefinition(name = "Peer max queued bytes", description = "Messages to a peer are dropped while "
            + "more than this many bytes are waiting to be written to it.")
    long transport_peer_max_queued_bytes() default 64L * 1024 * 1024;

    @AttributeDefinition(name = "Peer reconnect backoff min (ms)")
    int transport_peer_backoff_min_ms() default 50;

    @AttributeDefinition(name = "Peer reconnect backoff max (ms)")
    int transport_peer_backoff_max_ms() default 2000;
}
