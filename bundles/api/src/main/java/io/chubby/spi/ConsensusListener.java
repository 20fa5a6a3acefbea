package io.chubby.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when this replica becomes or stops being master. Called on the apply thread, in log order:
 * {@link #becameMaster} only after every entry chosen before this replica's leadership has been
 * applied, so the listener sees the complete state of earlier epochs.
 */
@ConsumerType
public interface ConsensusListener {
    void becameMaster(long epoch);

    void lostMastership(long epoch);

    /** Any replica: the known master or epoch changed (for master-location answers, DNS, metrics). */
    default void masterChanged(int masterId, long epoch) {
    }
}
