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

    @Override
    void close();
}
