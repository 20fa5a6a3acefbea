/**
 * The pure Multi-Paxos core: {@link io.chubby.paxos.core.PaxosNode} (acceptor, learner, master
 * with lease) and its immutable inputs and outputs (messages, entries, {@code Ready}). No clock,
 * threads, I/O, OSGi or protobuf: the edge in {@code io.chubby.paxos.internal} and the simulator
 * (bundles/simulator) drive it. Private to the bundle (not exported); see CORE-API.md.
 */
package io.chubby.paxos.core;
