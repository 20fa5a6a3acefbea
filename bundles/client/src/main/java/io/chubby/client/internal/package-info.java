/**
 * Implementation of the client library, not exported: the MINA connection and frame codec
 * ({@link io.chubby.client.internal.Connection}, {@link io.chubby.client.internal.FrameCodec}),
 * the master channel with its retry rules ({@link io.chubby.client.internal.MasterFollower}, the
 * public {@code MasterChannel}) and how it finds the master
 * ({@link io.chubby.client.internal.MasterDiscovery}, with its
 * {@link io.chubby.client.internal.ConnectionPool} and
 * {@link io.chubby.client.internal.PartitionMap}: a follower per partition of a partitioned cell),
 * the partition sessions presented as one session
 * ({@link io.chubby.client.internal.PartitionSessions}), the
 * session's calls over it ({@link io.chubby.client.internal.SessionCalls}), the session and its
 * KeepAlive loop ({@link io.chubby.client.internal.SessionKeeper}), the cache, handles and what a
 * connected client is made of ({@link io.chubby.client.internal.ClientCache},
 * {@link io.chubby.client.internal.ClientHandle}, {@link io.chubby.client.internal.ClientCore}).
 *
 * <p>Imports from {@code io.chubby.client} only its contract and value types (ClientOptions,
 * MasterChannel, Handle, Contents, LockInfo, Sequencer, SequencerCheck, ReplicaStatus,
 * AdminResult), none of which imports this package; the public classes that do import it
 * (ChubbyClient, CellClient) are named by nothing here. So no import circle crosses the two.
 */
package io.chubby.client.internal;
