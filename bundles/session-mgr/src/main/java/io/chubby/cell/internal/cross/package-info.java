/**
 * Calls between the masters of two Paxos groups of one cell (docs/PARTITIONING.md section 4.4):
 * {@link io.chubby.cell.internal.cross.CrossCalls} carries a directory step (AnchorDir, SealDir,
 * DropAnchor) from C's master to H's, which proposes it in its group and answers with the applied
 * result. {@link io.chubby.cell.internal.cross.LocalCrossCalls} routes to the master of the target
 * group in this process (the groups of a {@code CellHost}); the peer transport comes in step 12.
 */
package io.chubby.cell.internal.cross;
