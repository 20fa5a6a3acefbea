package io.chubby.spi;

/**
 * Configuration PIDs of a replica's core components and the keys of the shared one. The shared
 * PID {@value #PID} holds who the replica is (cell, id, members, data directory); the identity
 * bundle reads it and publishes {@link ReplicaIdentity}. Every component takes its own tuning from
 * its own PID (defaults apply when that PID has no configuration).
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

    private ReplicaConfig() {
    }
}
