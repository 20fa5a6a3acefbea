package io.chubby.paxos.core;

/**
 * What the edge loaded from its own disk when the replica (re)started.
 *
 * @param promised     the promised ballot last persisted from a {@link Ready} ({@link Ballot#ZERO} if none)
 * @param appliedIndex the index through which the state machine's durable state reflects the log
 *                     (its snapshot point; 0 when empty). Entries above it are applied again.
 * @param configuration the configuration the state machine recorded at {@code appliedIndex} (the one
 *                     governing the next slot; CORE-API.md "Changing the members"); null: the initial one,
 *                     {@link PaxosConfig#replicas}; {@link Configuration#NONE} for a replica that joins
 */
public record RecoveredState(Ballot promised, long appliedIndex, Configuration configuration) {

    /** A replica whose configuration is the cell's initial one ({@link PaxosConfig#replicas}) unless its log says otherwise. */
    public RecoveredState(Ballot promised, long appliedIndex) {
        this(promised, appliedIndex, null);
    }

    public RecoveredState {
        promised = promised == null ? Ballot.ZERO : promised;
        if (appliedIndex < 0) {
            throw new IllegalArgumentException("appliedIndex " + appliedIndex);
        }
    }

    /** A replica with an empty disk. */
    public static RecoveredState empty() {
        return new RecoveredState(Ballot.ZERO, 0);
    }
}
