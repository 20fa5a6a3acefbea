package io.chubby.paxos.internal;

import io.chubby.spi.ConsensusListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the loop's view after each step (may this replica serve? which master and epoch?) into
 * listener calls: {@code becameMaster} when serving starts (the core allows it only once the
 * barrier of the epoch is applied), {@code lostMastership} when it stops, {@code masterChanged}
 * when the known master or epoch changes. State is owned by the replica loop thread; listeners
 * may be added from any thread. Public (the package is still private to the bundle) so that the
 * whole-cell simulator drives the same logic as the replica loop.
 */
public final class MastershipTracker {
    private static final Logger log = LoggerFactory.getLogger(MastershipTracker.class);

    private final int self;
    private final List<ConsensusListener> listeners = new CopyOnWriteArrayList<>();
    private boolean serving;
    private long servingEpoch;
    private boolean lossKeptEpoch;
    private int knownMaster;
    private long knownEpoch;

    public MastershipTracker(int self) {
        this.self = self;
    }

    public void add(ConsensusListener l) {
        listeners.add(l);
    }

    public void remove(ConsensusListener l) {
        listeners.remove(l);
    }

    /**
     * Reports the current view; returns true when this replica just stopped serving (the caller
     * then asks {@link PendingProposalRule} whether its pending proposals fail).
     */
    public boolean update(boolean canServe, int masterId, long epoch, long appliedIndex) {
        boolean lost = false;
        if (serving && (!canServe || epoch != servingEpoch)) {
            serving = false;
            lost = true;
            lossKeptEpoch = epoch == servingEpoch;
            log.info("lost mastership replica={} epoch={} index={}", self, servingEpoch, appliedIndex);
            for (ConsensusListener l : listeners) {
                call(() -> l.lostMastership(servingEpoch));
            }
        }
        if (masterId != knownMaster || epoch != knownEpoch) {
            knownMaster = masterId;
            knownEpoch = epoch;
            log.info("master changed replica={} master={} epoch={}", self, masterId, epoch);
            for (ConsensusListener l : listeners) {
                call(() -> l.masterChanged(masterId, epoch));
            }
        }
        if (!serving && canServe) {
            serving = true;
            servingEpoch = epoch;
            log.info("became master replica={} epoch={} index={}", self, epoch, appliedIndex);
            for (ConsensusListener l : listeners) {
                call(() -> l.becameMaster(epoch));
            }
        }
        return lost;
    }

    public boolean serving() {
        return serving;
    }

    /**
     * Whether the last loss {@link #update} reported left the epoch as it was (a lapse of the lease
     * at the same epoch), not an epoch change ({@link PendingProposalRule}).
     */
    public boolean lossKeptEpoch() {
        return lossKeptEpoch;
    }

    /** A misbehaving listener must not kill the replica loop. */
    private void call(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("consensus listener failed replica={} error={}", self, e.toString(), e);
        }
    }
}
