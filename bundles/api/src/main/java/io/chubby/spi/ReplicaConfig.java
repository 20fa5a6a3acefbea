package io.chubby.spi;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Configuration PIDs of a replica's core components and the keys of the shared one. The shared
 * PID {@value #PID} holds who the replica is (cell, id, members, data directory); the identity
 * bundle reads it and publishes {@link ReplicaIdentity}. Every component takes its own tuning from
 * its own PID (defaults apply when that PID has no configuration).
 *
 * <p>Tuning keys carry their component's prefix, so a flat list of keys (one properties file for
 * a whole replica) can be split into the files of each PID: {@link #pidOf(String)}.
 */
public final class ReplicaConfig {
    /** Config Admin PID of a replica's identity and membership (shared by every core component). */
    public static final String PID = "io.chubby.replica";
    /** Cell name; "local" in client paths means this name. */
    public static final String CELL_NAME = "cell.name";
    /** This replica's id in {@link #MEMBERS}. */
    public static final String REPLICA_ID = "replica.id";
    /** Comma-separated {@link Member} list of the whole cell. */
    public static final String MEMBERS = "members";
    /** Directory of this replica's data (the Berkeley DB JE environment lives below it). */
    public static final String DATA_DIR = "data.dir";

    /** PID of the storage component (bdb-store). @since 1.2 */
    public static final String STORE_PID = "io.chubby.store";
    /** PID of the consensus component (consensus-paxos). @since 1.2 */
    public static final String PAXOS_PID = "io.chubby.paxos";
    /** PID of the peer transport (transport-mina). @since 1.2 */
    public static final String PEER_TRANSPORT_PID = "io.chubby.transport.peer";
    /** PID of the client acceptor (transport-mina). @since 1.2 */
    public static final String CLIENT_TRANSPORT_PID = "io.chubby.transport.client";
    /** PID of the cell: sessions, files, locks, the request pipeline and the change feed (session-mgr). @since 1.2 */
    public static final String CELL_PID = "io.chubby.cell";
    /** PID of the optional DNS bridge (dns-bridge). @since 1.2 */
    public static final String DNS_PID = "io.chubby.dns";
    /** PID of the optional access control bundle (acl). @since 1.3 */
    public static final String ACL_PID = "io.chubby.acl";
    /** PID of the scheduled backups of the replica's store (bdb-store): keys {@code backup.*}. @since 1.7 */
    public static final String BACKUP_PID = "io.chubby.backup";
    /** PID of the optional metrics and health endpoints (metrics): keys {@code metrics.*}. @since 1.11 */
    public static final String METRICS_PID = "io.chubby.metrics";
    /**
     * PID of the optional partitioning bundle's partitioner: keys {@code partition.*}
     * ({@code partition.count}, {@code partition.hash}; docs/PARTITIONING.md step 14). @since 1.13
     */
    public static final String PARTITION_PID = "io.chubby.partition";

    /** The keys of {@link #PID}. */
    public static final List<String> IDENTITY_KEYS = List.of(CELL_NAME, REPLICA_ID, MEMBERS, DATA_DIR);

    /** Key prefix -> PID; the longer {@code transport.*} prefixes are distinct, none is a prefix of another. */
    private static final Map<String, String> PREFIXES = Map.of(
            "store.", STORE_PID,
            "paxos.", PAXOS_PID,
            "transport.peer.", PEER_TRANSPORT_PID,
            "transport.client.", CLIENT_TRANSPORT_PID,
            "cell.", CELL_PID,
            "dns.", DNS_PID,
            "acl.", ACL_PID,
            "backup.", BACKUP_PID,
            "metrics.", METRICS_PID,
            "partition.", PARTITION_PID);

    /**
     * The PID a replica configuration key belongs to: {@link #PID} for the identity keys, else by
     * prefix ({@code store.}, {@code paxos.}, {@code transport.peer.}, {@code transport.client.},
     * {@code cell.}, {@code dns.}, {@code acl.}, {@code backup.}, {@code metrics.}, {@code partition.}).
     *
     * @throws IllegalArgumentException naming the key and the known prefixes when no PID has it
     * @since 1.2
     */
    public static String pidOf(String key) {
        if (IDENTITY_KEYS.contains(key)) {
            return PID;
        }
        for (Map.Entry<String, String> e : PREFIXES.entrySet()) {
            if (key.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        throw new IllegalArgumentException("configuration key '" + key + "' belongs to no component: a replica's "
                + "keys are " + String.join(", ", IDENTITY_KEYS) + " and keys starting with "
                + String.join(", ", new TreeMap<>(PREFIXES).keySet()));
    }

    /**
     * Splits a replica's keys into the configuration of each PID, in PID order, keys sorted.
     *
     * @throws IllegalArgumentException for the first key that belongs to no PID (see {@link #pidOf})
     * @since 1.2
     */
    public static Map<String, Map<String, String>> byPid(Map<String, String> keys) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        new TreeMap<>(keys).forEach((k, v) -> out.computeIfAbsent(pidOf(k), p -> new TreeMap<>()).put(k, v));
        return out;
    }

    private ReplicaConfig() {
    }
}
