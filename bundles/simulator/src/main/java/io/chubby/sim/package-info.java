/**
 * Deterministic simulation of a Chubby cell's consensus: N replicas, each hosting G Paxos groups
 * (one loop pass and one combined write for all of them, as GroupHost), running the pure Paxos core
 * over simulated storage (synced and unsynced parts; a crash tears the unsynced part), network (loss,
 * duplication, reordering, delay, long delays, partitions including one-way), process pauses and
 * drifting clocks that may step forward within the drift bound, and planted mastership handoffs,
 * with invariant checks after every event. Single-threaded; a run is a pure function of its seed.
 * For tests only.
 */
@Export
@Version("1.7.0")
package io.chubby.sim;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
