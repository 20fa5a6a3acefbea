package io.chubby.transport.internal;

import io.chubby.protocol.Frames;
import java.net.InetSocketAddress;

/**
 * Settings of a {@link ClientAcceptor}. Built from its {@link ClientAcceptor.Config} under OSGi,
 * or directly by tests and benchmarks (which bind to port 0 and ask
 * {@link ClientAcceptor#localAddress()}).
 *
 * @param bind where to listen; null for an acceptor that stays idle (under OSGi: no
 *             {@code transport.client.port} and no replica identity to take the port from)
 * @param tls  TLS on the client port ({@link TlsSettings#OFF}: plaintext)
 * @param passwordPlaintext whether a Hello with a password is accepted on a connection without
 *             TLS (false: refused with PERMISSION_DENIED, the password would cross the network
 *             in the clear)
 * @param drainMillis at a stop, how long at most the acceptor waits, after sending the handler's
 *             leaving notice, for clients to close their connections (0: close at once)
 */
public record ClientSettings(InetSocketAddress bind, int maxFrameBytes, long maxQueuedBytes, int ioThreads,
        int handshakeTimeoutSeconds, TlsSettings tls, boolean passwordPlaintext, long drainMillis) {
    public static final long DEFAULT_MAX_QUEUED_BYTES = 64L * 1024 * 1024;
    public static final long DEFAULT_DRAIN_MS = 2000;
    public static final int DEFAULT_IO_THREADS = 2;
    public static final int DEFAULT_HANDSHAKE_TIMEOUT_S = 10;

    public ClientSettings {
        if (maxFrameBytes < 64) {
            throw new IllegalArgumentException("transport.client.max.frame.bytes must be >= 64, was " + maxFrameBytes);
        }
        if (maxQueuedBytes < 1) {
            throw new IllegalArgumentException("transport.client.max.queued.bytes must be >= 1, was " + maxQueuedBytes);
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("transport.client.io.threads must be >= 1, was " + ioThreads);
        }
        if (handshakeTimeoutSeconds < 1) {
            throw new IllegalArgumentException("transport.client.handshake.timeout.s must be >= 1, was "
                    + handshakeTimeoutSeconds);
        }
        if (tls == null) {
            tls = TlsSettings.OFF;
        }
        if (drainMillis < 0) {
            throw new IllegalArgumentException("transport.client.drain.ms must be >= 0, was " + drainMillis);
        }
    }

    /** With the default drain period. */
    public ClientSettings(InetSocketAddress bind, int maxFrameBytes, long maxQueuedBytes, int ioThreads,
                          int handshakeTimeoutSeconds, TlsSettings tls, boolean passwordPlaintext) {
        this(bind, maxFrameBytes, maxQueuedBytes, ioThreads, handshakeTimeoutSeconds, tls, passwordPlaintext,
                DEFAULT_DRAIN_MS);
    }

    /** Plaintext settings, passwords refused (the constructor before TLS). */
    public ClientSettings(InetSocketAddress bind, int maxFrameBytes, long maxQueuedBytes, int ioThreads,
                          int handshakeTimeoutSeconds) {
        this(bind, maxFrameBytes, maxQueuedBytes, ioThreads, handshakeTimeoutSeconds, TlsSettings.OFF, false);
    }

    /** A copy with TLS (and whether passwords are accepted without it). */
    public ClientSettings withTls(TlsSettings t, boolean plaintextPasswords) {
        return new ClientSettings(bind, maxFrameBytes, maxQueuedBytes, ioThreads, handshakeTimeoutSeconds, t,
                plaintextPasswords, drainMillis);
    }

    /** A copy with another drain period. */
    public ClientSettings withDrainMillis(long ms) {
        return new ClientSettings(bind, maxFrameBytes, maxQueuedBytes, ioThreads, handshakeTimeoutSeconds, tls,
                passwordPlaintext, ms);
    }

    /** Defaults for everything but the address. */
    public static ClientSettings of(InetSocketAddress bind) {
        return new ClientSettings(bind, Frames.DEFAULT_MAX_MESSAGE, DEFAULT_MAX_QUEUED_BYTES, DEFAULT_IO_THREADS,
                DEFAULT_HANDSHAKE_TIMEOUT_S);
    }

    static ClientSettings from(ClientAcceptor.Config c, InetSocketAddress bind) {
        String prefix = "transport.client.tls.";
        TlsSettings tls = TlsSettings.load(prefix, c.transport_client_tls_enabled(), c.transport_client_tls_cert(),
                c.transport_client_tls_key(), c.transport_client_tls_ca(), c.transport_client_tls_password(),
                TlsSettings.ClientAuth.parse(c.transport_client_tls_client_auth(), prefix + "client.auth"));
        return new ClientSettings(bind, c.transport_client_max_frame_bytes(), c.transport_client_max_queued_bytes(),
                c.transport_client_io_threads(), c.transport_client_handshake_timeout_s(), tls,
                c.transport_client_password_plaintext(), c.transport_client_drain_ms());
    }
}
