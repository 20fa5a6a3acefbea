/**
 * Apache MINA transports of a replica, all private to the bundle (nothing is exported, so no MINA
 * type leaks into another bundle): the frame codec around {@link io.chubby.protocol.Frames}, the
 * client acceptor ({@link io.chubby.transport.internal.ClientAcceptor}, which feeds the
 * {@link io.chubby.spi.RequestHandler} service) and the peer transport
 * ({@link io.chubby.transport.internal.MinaPeerTransport}, the {@link io.chubby.spi.PeerTransport}
 * service, also a {@link io.chubby.spi.MetricSource} of its links: {@code PeerLinkStats}). Each is a DS component with its own PID ({@code io.chubby.transport.client},
 * {@code io.chubby.transport.peer}); the peer transport needs the replica identity, the client
 * acceptor only a request handler. Both can also be built with plain constructors for tests and
 * benchmarks.
 */
package io.chubby.transport.internal;
