/**
 * Real cells in this JVM for other modules' tests: {@link io.chubby.sim.cell.InProcessCell} is one
 * replica (session-mgr's {@code CellServer} on the testkit's {@code FakeConsensus} and
 * {@code MemoryStateStore}, behind transport-mina's {@code ClientAcceptor} on 127.0.0.1), and
 * {@link io.chubby.sim.cell.InProcessReplicas} several of them naming one master, some ports
 * possibly left closed as replicas that are down. What the client library and the CLI talk to in
 * their tests instead of a second model of the cell's semantics. 1.1.0:
 * {@link io.chubby.sim.cell.PartitionedCell}, three replicas hosting N partitions (session-mgr's
 * {@code CellHost} on the testkit's {@code FakeGroupCell}; a group's failover by
 * {@code crash(r)} and {@code elect(g, r)}).
 */
@Export
@Version("1.1.0")
package io.chubby.sim.cell;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
