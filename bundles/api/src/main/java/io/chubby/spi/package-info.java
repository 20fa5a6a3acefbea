/**
 * Service contracts between the server's bundles. Implementation bundles never import each
 * other's packages: they meet through these OSGi services (consensus, storage, transports, the
 * request handler), and the seams optional bundles plug into: request filters, the
 * authorizer and authenticator, the change feed, the namespace view, principals and the replica
 * identity. No third-party types appear here.
 *
 * <p>1.4.0: the partitioning seams of docs/PARTITIONING.md step 1 ({@code Partitioner},
 * {@code PartitionView}, {@code ConsensusGroups}, {@code LogStores}, {@code StateStores}); nothing
 * provides or consumes them before the later steps each type names.
 *
 * <p>1.5.0: {@code ConsensusStatus.group} (docs/PARTITIONING.md step 3: consensus-paxos hosts
 * several groups); the nine-argument constructor stays and means group 0.
 *
 * <p>1.6.0: {@code ConsensusGroups.peerMinors()} (a default method: the peer minors the members
 * announced, for session-mgr's {@code SetPartitions} rule, docs/PARTITIONING.md step 7).
 *
 * <p>1.7.0: {@code ReplicaConfig.BACKUP_PID} and the {@code backup.} key prefix (issue 19: scheduled
 * backups, bdb-store).
 *
 * <p>1.8.0: {@code PeerTransport.linkPeers} (a default method: peer links follow the members as they
 * change through the log, issue 19).
 *
 * <p>1.9.0: {@code CellMetrics} (issue 22: the cell's Status numbers as a service, provided by
 * session-mgr, read by the metrics bundle).
 *
 * <p>1.10.0: {@code ConsensusStatus.masterLive} (whether the master a replica names is live as far
 * as it knows: a follower cut off from everyone keeps naming its last master; the metrics bundle's
 * readiness, issue 22).
 *
 * <p>1.11.0: {@code MetricSource} and {@code Histogram} (issue 22: a bundle's own series, plain
 * Java, collected by the metrics bundle while the bundle runs); {@code ReplicaConfig.METRICS_PID} and the
 * {@code metrics.} key prefix ({@code chubby cell up --set metrics.<key>=<value>}); {@code SessionView}
 * (a read-only view of the applied sessions and locks, provided by session-mgr, read by the console
 * bundle's pages, issue 22).
 *
 * <p>1.12.0: {@code RequestHandler.leavingNotice} (a default method: what a stopping replica tells its
 * clients).
 *
 * <p>1.13.0: {@code ConsensusGroups.sendCross} and {@code ConsensusGroups.crossHandler} (default
 * methods: the cross-group channel of docs/PARTITIONING.md 4.4 on the cell's own peer links, opaque
 * to consensus; issue 18 step 12); {@code ReplicaConfig.PARTITION_PID} and the {@code partition.} key prefix (the partitioning
 * bundle, docs/PARTITIONING.md step 14: {@code chubby cell up --set partition.count=4}).
 */
@Export
@Version("1.13.0")
package io.chubby.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
