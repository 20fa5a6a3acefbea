/**
 * The consensus edge: the {@link io.chubby.spi.Consensus} service that drives the pure
 * Multi-Paxos core ({@code io.chubby.paxos.core}) with real time, threads, storage and network.
 * One loop thread per replica owns the core node; it persists each {@code Ready} to the
 * {@link io.chubby.spi.LogStore} (one batch, one fsync), then sends its messages through the
 * {@link io.chubby.spi.PeerTransport}, then applies committed entries to the registered
 * {@link io.chubby.spi.StateMachine}. Also here: the peer wire codec, snapshot chunking and
 * the bookkeeping of proposal futures and listeners. Not exported.
 */
package io.chubby.paxos.internal;
