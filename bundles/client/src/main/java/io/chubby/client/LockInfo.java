package io.chubby.client;

import io.chubby.api.LockMode;
import java.util.List;

/**
 * Who holds and who waits for a node's lock, as the master sees it now.
 *
 * @param lockGeneration   the node's lock generation
 * @param holders          in grant order
 * @param waiters          in FIFO order (the first is served next)
 * @param lockDelayRemainingMillis 0, or how long a lock-delay still keeps the lock unavailable
 */
public record LockInfo(long lockGeneration, List<Party> holders, List<Party> waiters,
                       long lockDelayRemainingMillis) {

    /** A handle holding or waiting for the lock. */
    public record Party(long sessionId, long handleId, LockMode mode, String clientName) {
    }

    public LockInfo {
        holders = List.copyOf(holders);
        waiters = List.copyOf(waiters);
    }

    public boolean held() {
        return !holders.isEmpty();
    }
}
