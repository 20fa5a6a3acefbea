package io.chubby.metrics.internal;

import io.chubby.spi.ConsensusStatus;
import java.util.Optional;

/**
 * The readiness rule of {@code /health/ready}: a replica is ready when its cell component runs, a
 * live master is known (a candidate, campaigning, knows none, whatever master id it still names; a
 * follower that has not heard from the master it names within a lease does not either), and it
 * is caught up: the master with a valid lease, any replica with at most
 * {@code maxLag} chosen entries not yet applied. A restarted replica knows no master until one
 * reaches it, and the commit index it then learns is the master's, so it is not ready until it has
 * applied up to it. Pure.
 */
final class Readiness {
    private Readiness() {
    }

    /**
     * Why this replica is not ready, or empty when it is.
     *
     * @param status      the consensus view, null when no consensus service is bound
     * @param cellRunning true while the cell component (session-mgr) provides its metrics
     * @param maxLag      chosen entries a replica may still have to apply and be ready
     */
    static Optional<String> notReady(ConsensusStatus status, boolean cellRunning, long maxLag) {
        if (status == null) {
            return Optional.of("no consensus service");
        }
        if (!cellRunning) {
            return Optional.of("the cell component is not running");
        }
        if (status.masterId() == 0 || status.role().equals("candidate")) {
            return Optional.of("no master known (role " + status.role() + ")");
        }
        if (status.masterId() == status.replicaId() && !status.leaseValid()) {
            return Optional.of("master without a valid lease");
        }
        if (!status.masterLive()) {
            return Optional.of("master " + status.masterId() + " not heard from within a lease (role "
                    + status.role() + ")");
        }
        long behind = status.commitIndex() - status.appliedIndex();
        if (behind > maxLag) {
            return Optional.of("catching up: applied " + status.appliedIndex() + " of " + status.commitIndex()
                    + " chosen (" + behind + " behind, at most " + maxLag + ")");
        }
        return Optional.empty();
    }
}
