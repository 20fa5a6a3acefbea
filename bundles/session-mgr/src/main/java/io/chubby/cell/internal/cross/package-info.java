/**
 * Calls between the masters of two Paxos groups of one cell (docs/PARTITIONING.md section 4.4):
 * {@link io.chubby.cell.internal.cross.CrossCalls} carries a directory step (AnchorDir, SealDir,
 * DropAnchor from C's master to H's; ResolveDir, ReapIfEmpty from H's to C's) to another group's
 * master, which proposes it in its group and answers with the applied
 * result. {@link io.chubby.cell.internal.cross.LocalCrossCalls} reaches the groups of this process
 * and is the one check of which commands are cross steps (a step received from a peer goes through it);
 * {@link io.chubby.cell.internal.cross.PeerCrossCalls} the replica believed to master the group, over
 * the cell's peer links (peer 1.4 {@code CrossRequest}/{@code CrossReply},
 * {@link io.chubby.cell.internal.cross.CrossWire}), whose receiving end is
 * {@link io.chubby.cell.internal.cross.CrossEndpoint}.
 */
package io.chubby.cell.internal.cross;
