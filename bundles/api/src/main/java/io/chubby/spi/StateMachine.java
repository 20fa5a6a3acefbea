package io.chubby.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The replicated state machine that {@link Consensus} drives. Every method is called on the
 * consensus apply thread, one at a time, so implementations need no locking against each other.
 *
 * <p>{@link #apply} must be deterministic: the same entries in the same order give the same state
 * and the same {@link #checksum()} on every replica (no clock, randomness or hash-order iteration).
 */
@ConsumerType
public interface StateMachine {

    /** Index of the last entry reflected in the state, as recovered from disk (0 if empty). */
    long appliedIndex();

    /**
     * Applies committed entry {@code index} (always {@code appliedIndex() + 1}). An empty
     * {@code command} is a no-op written by a new master; it still advances the applied index.
     *
     * @param epoch the epoch of the master that proposed the entry
     * @return a result handed to the proposer's future (may be empty, never null)
     */
    byte[] apply(long index, long epoch, byte[] command);

    /**
     * Called after the last {@link #apply} of a batch: the entries the consensus layer learned as
     * committed together (one Ready). A machine that buffers the store writes of several applies
     * writes them here, in one store transaction, instead of one per entry. The store writes are
     * not durable either way (the log is the durable record; {@link #makeDurable} is the fsync),
     * so the batch size changes only the cost. The default does nothing.
     *
     * @since 1.1
     */
    default void applyBatchDone() {
    }

    /** Checksum of the whole state at {@link #appliedIndex()}; equal across replicas at equal index. */
    long checksum();

    /** Writes the whole state at {@link #appliedIndex()}, for a lagging replica. */
    void writeSnapshot(OutputStream out) throws IOException;

    /** Replaces the whole state with a snapshot made by {@link #writeSnapshot} on another replica. */
    void installSnapshot(InputStream in) throws IOException;

    /** Makes the applied state durable (fsync), so that the log up to {@link #appliedIndex()} may be dropped. */
    void makeDurable();
}
