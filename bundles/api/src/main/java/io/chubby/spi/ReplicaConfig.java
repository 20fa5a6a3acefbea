package io.chubby.spi;

/**
 * Keys of the configuration PID {@value #PID}, shared by every core component of a replica
 * (store, consensus, transports, cell). Each component reads the keys it needs through its own
 * annotation type; these constants name the common ones.
 */
public final class ReplicaConfig {
    /** Config Admin PID of a replica's identity, membership and tuning. */
    public static final String PID = "io.chubby.replica";
    /** Cell name; "local" in client paths means this name. */
    public static final String CELL_NAME = "cell.name";
    /** This replica's id in {@link #MEMBERS}. */
    public static final String REPLICA_ID = "replica.id";
    /** Comma-separated {@link Member} list of the whole cell. */
    public static final String MEMBERS = "members";
    /** Directory of this replica's data (the Berkeley DB JE environment lives below it). */
    public static final String DATA_DIR = "data.dir";

    private ReplicaConfig() {
    }
}
