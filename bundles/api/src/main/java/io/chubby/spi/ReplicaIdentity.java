package io.chubby.spi;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Who this replica is: the settings every core component of a replica shares, read from one place
 * (configuration PID {@value ReplicaConfig#PID}, by the identity bundle) and published as a
 * service. Components take their own tuning from their own PIDs and their identity from here; a
 * process that is not a replica (a proxy) has no identity.
 *
 * @since 1.2
 */
@ProviderType
public interface ReplicaIdentity {
    /** The cell's name; {@code local} in client paths means this name. */
    String cellName();

    /** This replica's id among {@link #members()}. */
    int replicaId();

    /** Every replica of the cell. */
    List<Member> members();

    /** This replica's entry in {@link #members()}. */
    default Member self() {
        for (Member m : members()) {
            if (m.id() == replicaId()) {
                return m;
            }
        }
        throw new IllegalStateException("replica " + replicaId() + " is not in " + members());
    }

    /** Directory of this replica's data (its Berkeley DB JE environment lives below it). */
    String dataDir();
}
