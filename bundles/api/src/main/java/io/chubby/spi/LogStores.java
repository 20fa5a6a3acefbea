package io.chubby.spi;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The consensus logs of every Paxos group a replica hosts, in one durable store. {@link #group}
 * gives a group's own {@link LogStore} view; {@link #writeAll} writes several groups' batches as
 * one atomic write with at most one fsync, so group commit spans groups: more groups do not mean
 * more fsyncs per loop pass.
 *
 * <p>Group 0 is today's log: its view sees exactly what the {@link LogStore} service sees, and a
 * store written before groups existed opens as group 0 unchanged. Provided by bdb-store (the
 * groups' databases share one environment); consumed by consensus-paxos's group host from
 * docs/PARTITIONING.md step 3. With N = 1 only group 0 is used.
 */
@ProviderType
public interface LogStores {

    /**
     * The log of {@code group}, created empty on first use.
     *
     * @throws IllegalArgumentException if {@code group} is negative or not below
     *     {@link io.chubby.api.PartitionHash#SLOTS}
     */
    LogStore group(int group);

    /**
     * Applies every group's batch in one atomic write: all of them or none. If any batch asks for
     * {@link LogBatch#sync(boolean) sync}, everything is on disk (one fsync) before this returns.
     */
    void writeAll(Map<Integer, LogBatch> batches);
}
