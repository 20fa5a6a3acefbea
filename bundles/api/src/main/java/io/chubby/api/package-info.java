/**
 * Client-facing types of the Chubby lock service: node paths, metadata, open options, errors,
 * events and master location. Shared by the client library, the server and the wire protocol;
 * imports nothing from third parties.
 *
 * <p>1.1.0: {@code ErrorCode.OUTCOME_UNKNOWN} (wire 19, exit code 28). 1.2.0: {@code PartitionHash},
 * the reference function that places nodes in partitions. 1.3.0: {@code ErrorCode.WRONG_PARTITION}.
 * 1.4.0: {@code Stat.partition()}, the partition that holds the node,
 * {@code MasterInfo.partitions()}, the cell's number of partitions, and {@code Event.partition()},
 * the partition whose session delivered the event (the 1.3 constructors kept: partition 0, one
 * partition).
 */
@Export
@Version("1.4.0")
package io.chubby.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
