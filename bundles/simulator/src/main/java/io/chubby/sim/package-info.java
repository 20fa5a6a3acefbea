/**
 * Deterministic simulation of a Chubby cell's consensus: N replicas running the pure Paxos core
 * over simulated storage (synced and unsynced parts), network (loss, duplication, reordering,
 * delay, partitions including one-way) and drifting clocks, with invariant checks after every
 * event. Single-threaded; a run is a pure function of its seed. For tests only.
 */
@Export
@Version("1.0.0")
package io.chubby.sim;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
