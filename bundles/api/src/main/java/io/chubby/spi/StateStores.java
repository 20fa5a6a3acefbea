package io.chubby.spi;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The replicated state of every Paxos group a replica hosts, in one store. {@link #group} gives a
 * group's own {@link StateStore} view: its tables, applied index, checksum and
 * {@link StateStore#replaceAll snapshot installs} touch that group's data only.
 *
 * <p>Group 0 is today's state: its view sees exactly what the {@link StateStore} service sees.
 * Provided by bdb-store; consumed by session-mgr's cell host from docs/PARTITIONING.md step 7.
 * With N = 1 only group 0 is used.
 */
@ProviderType
public interface StateStores {

    /**
     * The state of {@code group}, created empty on first use.
     *
     * @throws IllegalArgumentException if {@code group} is negative or not below
     *     {@link io.chubby.api.PartitionHash#SLOTS}
     */
    StateStore group(int group);
}
