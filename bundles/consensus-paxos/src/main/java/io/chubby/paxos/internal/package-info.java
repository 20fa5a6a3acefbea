/**
 * The consensus edge: the {@link io.chubby.spi.Consensus} service (group 0) and the
 * {@link io.chubby.spi.ConsensusGroups} service that drive the pure Multi-Paxos core
 * ({@code io.chubby.paxos.core}) with real time, threads, storage and network. One loop thread per
 * replica ({@code GroupHost}) drives every Paxos group the replica hosts ({@code PaxosGroup}, one
 * core node each); per pass it persists every group's {@code Ready} in one
 * {@link io.chubby.spi.LogStores#writeAll} (one fsync), then sends their answers through the
 * {@link io.chubby.spi.PeerTransport}, then applies committed entries to each group's registered
 * {@link io.chubby.spi.StateMachine}. Also here: the peer wire codec (groups >= 1 wrapped in
 * {@code Grouped}), snapshot chunking, the bookkeeping of proposal futures and listeners (with
 * {@code PendingProposalRule}, when pending proposals fail: not on a lapse at the same epoch), and
 * each group's counters for the metrics bundle ({@code GroupCounters}, served by
 * {@code PaxosMetricsComponent}). Not exported.
 */
package io.chubby.paxos.internal;
