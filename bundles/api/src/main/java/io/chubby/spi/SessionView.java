package io.chubby.spi;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A read-only view of a replica's applied sessions and locks, for operator tools (the console
 * bundle's sessions and locks pages). Registered as an OSGi service by the cell (session-mgr)
 * alongside {@link NamespaceView}; every call reads the state as applied on this replica at that
 * moment (on the master, what clients see), whole entries only. Thread-safe; never blocks on
 * consensus. Lease ends are not here: they are the master's memory, not replicated state.
 *
 * @since 1.11
 */
@ProviderType
public interface SessionView {
    /**
     * One session.
     *
     * @param id            the session id
     * @param clientName    the name the client gave at creation
     * @param principal     who created it ({@code anonymous} without authentication)
     * @param createdMillis creation time, master clock, milliseconds since the epoch
     * @param handles       handles the session has open
     */
    record Session(long id, String clientName, String principal, long createdMillis, int handles) {
    }

    /**
     * A handle holding or waiting for a lock.
     *
     * @param sessionId the handle's session
     * @param handleId  the handle
     * @param shared    true for a shared (reader) lock, false for exclusive
     */
    record Party(long sessionId, long handleId, boolean shared) {
    }

    /**
     * A node whose lock is held, waited for or held back by a lock-delay.
     *
     * @param path             cell-relative path of the node ({@code "/"} for the root)
     * @param holders          in grant order: one exclusive holder or any number of shared ones
     * @param waiters          first in, first served
     * @param delayUntilMillis 0, or the master time until which nobody may be granted the lock
     */
    record Lock(String path, List<Party> holders, List<Party> waiters, long delayUntilMillis) {
        public Lock {
            holders = List.copyOf(holders);
            waiters = List.copyOf(waiters);
        }
    }

    /** Every session, in id order. */
    List<Session> sessions();

    /** Every lock held, waited for or delayed, in path (storage key) order. */
    List<Lock> locks();
}
