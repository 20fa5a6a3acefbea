package io.chubby.bench;

/** A replicated system started on loopback for the benchmark run. */
interface SystemUnderTest extends AutoCloseable {
    String name();

    void start() throws Exception;

    KvClient newClient() throws Exception;

    /** A pool of sessions for the session and fan-out workloads. */
    SessionPool sessions() throws Exception;

    /**
     * Each member's Prometheus endpoint ({@code http://host:port/metrics}) for {@code --scrape}
     * (issue 22's overhead figure); empty when the system serves none.
     */
    default java.util.List<String> metricsUrls() {
        return java.util.List.of();
    }

    /**
     * User + system CPU seconds so far, summed over the member processes (the 5 replicas, voters or
     * members; not proxies or observers in front of them): {@link CpuMeter}'s figure. A member that
     * is not running counts 0.
     */
    double cpuSeconds();

    /**
     * The same for the processes in front of the members (proxies, observers), reported apart; NaN
     * when the system has none.
     */
    default double frontCpuSeconds() {
        return Double.NaN;
    }

    /** What {@link #frontCpuSeconds()} counts, e.g. "4 proxies" (for the note). */
    default String frontProcesses() {
        return "";
    }

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

    /**
     * Workload 12: mirrors one key of this system into a second, smaller deployment started for it
     * (our mirror bundle; {@code etcdctl make-mirror}); systems without mirroring throw
     * {@link UnsupportedOperationException}.
     */
    default Mirror startMirror() throws Exception {
        throw new UnsupportedOperationException(name() + " has no mirroring");
    }

    /** A mirror between this system and a target deployment of its own. */
    interface Mirror extends AutoCloseable {
        /** Writes {@code seq} to the mirrored key at the source; returns once acknowledged. */
        void writeAtSource(long seq) throws Exception;

        /** Tells {@code seen} every value the target shows from now on (on a thread of its own). */
        void watchTarget(java.util.function.LongConsumer seen) throws Exception;

        /** Workload 13: writes {@code value} under {@code name} in the mirrored subtree at the source (acknowledged). */
        void putAtSource(String name, String value) throws Exception;

        /** Workload 13: the names of {@code expected} (name -> value) the target does not show with that value yet. */
        java.util.Set<String> missingAtTarget(java.util.Map<String, String> expected) throws Exception;

        /** Workload 13: stops the mirror; the target keeps what it has. Returns once it stopped. */
        void stopMirroring() throws Exception;

        /** Workload 13: starts the mirror again; it must bring the target level with the source. */
        void resumeMirroring() throws Exception;

        @Override
        void close();
    }

    @Override
    void close();
}
