package io.chubby.cell.internal.state;

import io.chubby.api.ErrorCode;
import java.util.List;

/**
 * What an applied entry did to locks that the master edge must act on (answer a held Acquire,
 * queue an event). Collected during one apply by {@link LockTable}, drained by the edge right
 * after it; every replica produces the same notices, only the master uses them.
 */
public sealed interface LockNotice {

    /** A waiting handle was granted the lock. */
    record Granted(long sessionId, long handleId, String path, int mode, long generation) implements LockNotice {
    }

    /** A handle's wait ended without a grant (released, closed, session ended, node deleted, cancelled). */
    record WaitEnded(long sessionId, long handleId, ErrorCode code, String message) implements LockNotice {
    }

    /** The lock went from free to held (LOCK_ACQUIRED for subscribed handles on that instance). */
    record Acquired(String path, long instance, long generation) implements LockNotice {
    }

    /** Someone started waiting while {@code holders} hold it (CONFLICTING_LOCK_REQUEST to them). */
    record Conflict(String path, long generation, List<LockRecord.Party> holders, int requestedMode)
            implements LockNotice {
        public Conflict {
            holders = List.copyOf(holders);
        }
    }
}
