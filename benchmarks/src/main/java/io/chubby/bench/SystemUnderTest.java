package io.chubby.bench;

/** A replicated system started on loopback for the benchmark run. */
interface SystemUnderTest extends AutoCloseable {
    String name();

    void start() throws Exception;

    KvClient newClient() throws Exception;

    /** A pool of sessions for the session and fan-out workloads. */
    SessionPool sessions() throws Exception;

    /** Process id of the current master / leader. */
    long leaderPid() throws Exception;

    /** Restarts every member that is not running and waits until it is back in the group. */
    void restartStopped() throws Exception;

    /**
     * The system's own command to move leadership to another member (workload 10b); systems
     * without one throw {@link UnsupportedOperationException}.
     */
    default void transferLeader() throws Exception {
        throw new UnsupportedOperationException(name() + " has no leader transfer command");
    }

    /**
     * Workload 11: removes a follower from the membership (the system's own command), remembering
     * which; systems without a membership command throw {@link UnsupportedOperationException}.
     */
    default void removeFollower() throws Exception {
        throw new UnsupportedOperationException(name() + " has no membership command");
    }

    /** Workload 11, untimed: stops the removed member and empties its data directory. */
    default void wipeRemoved() throws Exception {
        throw new UnsupportedOperationException(name() + " has no membership command");
    }

    /** Workload 11: adds the removed member back with its empty data directory (and starts it). */
    default void addRemovedBack() throws Exception {
        throw new UnsupportedOperationException(name() + " has no membership command");
    }

    @Override
    void close();
}
