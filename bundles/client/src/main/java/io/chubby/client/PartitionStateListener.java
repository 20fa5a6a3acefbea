package io.chubby.client;

import io.chubby.api.SessionState;

/**
 * Told about every state change of one partition's session (docs/PARTITIONING.md section 2): in a
 * partitioned cell the client holds a session per partition it uses, each with its own lease, so
 * a failover of partition p's master puts only p in JEOPARDY (calls to p wait; calls to the other
 * partitions go on) while {@link ChubbyClient#sessionState()} reports the worst of them. In a cell
 * of one partition every change is partition 0's and equals the session's. Called in order on the
 * client's serial notifier thread (since 1.9.0).
 */
@FunctionalInterface
public interface PartitionStateListener {
    /** Partition {@code partition}'s session is now {@code state}. */
    void changed(int partition, SessionState state);
}
