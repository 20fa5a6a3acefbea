/**
 * The Java client library of the Chubby lock service: {@link io.chubby.client.ChubbyClient}
 * (connect to a cell, open {@link io.chubby.client.Handle handles}, convenience file calls,
 * session state), plus the static operator calls {@code status} and {@code admin}, and
 * {@link io.chubby.client.MasterChannel}, the raw channel to the master that every client call
 * takes, open to code that speaks the protocol itself (e.g. a proxy). Works in a plain JVM and as
 * an OSGi bundle (no services; just call {@code ChubbyClient.connect}). Uses only
 * {@code io.chubby.api} types and JDK types in its signatures.
 *
 * <p>1.1.0: {@code MasterChannel} and {@code ChubbyClient.openChannel}. 1.2.0:
 * {@code ChubbyClient.ensureDirectory} / {@code ensureDirectoryAsync} (create a directory unless it
 * exists); OUTCOME_UNKNOWN (api 1.1) for writes whose outcome is unknown. 1.3.0:
 * {@link io.chubby.client.CacheMode} with {@code ChubbyClient.read(path, mode)} and
 * {@code Handle.getContentsAndStat(mode)} (reads that neither use the cache nor sign the session up
 * as a cache holder); a write's deadline follows the session's lease;
 * {@code LeaderElection.Listener.campaignFailed}, {@code LeaderElection.failure()} and
 * {@code LeaderElection.WRITE_RETRY_LIMIT} (the recipe retries its record write and fails loudly).
 * 1.4.0: {@link io.chubby.client.ClientSecurity} (TLS 1.3 with the JDK's SSLContext, PEM or
 * PKCS#12 files; user and password) in {@code ClientOptions.security}, the one-shot calls'
 * overloads taking it, {@link io.chubby.client.Identity} with {@code ChubbyClient.identity()} and
 * {@code ChubbyClient.whoami} (who the cell takes the connection to be). 1.5.0:
 * {@code MasterChannel.callDirect} (a call whose future completes on the I/O thread: no thread
 * hand-off, for callers that never block, such as a proxy). 1.6.0: {@code ReplicaStatus.groups()}.
 * 1.7.0: a client of a partitioned cell routes by partition (docs/PARTITIONING.md, step 11): a
 * partition session per partition used, presented as the one session; no signature changed.
 * 1.8.0: {@code ChubbyClient.partitions()} (with api 1.4's {@code Stat.partition()}: which
 * partition holds a node), {@code MasterInfo.partitions()} and {@code Event.partition()} filled
 * from the cell's answers, {@code ClientOptions.eagerPartitionSessions}; a
 * {@code MasterChannel} of a partitioned cell routes each raw call to the master of the partition
 * its {@code Request.partition} names, and {@code MasterChannel.relocate(int)} gives up one
 * partition's master only. 1.9.0: {@code ChubbyClient.partitionStates()} and
 * {@link io.chubby.client.PartitionStateListener} (each partition session's own JEOPARDY / SAFE /
 * EXPIRED; the session's state stays the worst of them).
 */
@Export
@Version("1.9.0")
package io.chubby.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
