package io.chubby.bench;

import java.util.concurrent.CompletableFuture;

/**
 * Many sessions of one system for the session and fan-out workloads: Chubby sessions multiplexed
 * over raw connections, ZooKeeper client sessions, etcd leases. A session is an opaque object.
 */
interface SessionPool extends AutoCloseable {
    /** Creates one session; completes when the system has acknowledged it. */
    CompletableFuture<Object> create();

    /** Ends one session explicitly. */
    CompletableFuture<Void> end(Object session);

    /** Starts keeping the session alive (ZooKeeper's client does it by itself). */
    void keepAlive(Object session);

    /** KeepAlives (or lease renewals) answered so far, or -1 when the system does not expose them. */
    long keepAlivesAnswered();

    /** Sessions that expired (or whose lease was lost) while held. */
    long expired();

    /** Sessions held with problems other than expiry (transport errors etc.). */
    long otherErrors();

    /** Arms a watch on {@code key} for this session; {@code onChange} runs once when its contents change. */
    CompletableFuture<Void> watch(Object session, String key, Runnable onChange);

    /**
     * Opens {@code key} for reading in this session; completes with something {@link #read} takes.
     * Only Chubby pools read through sessions (workload 9).
     */
    default CompletableFuture<Object> openForRead(Object session, String key) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("no reads through session pools here"));
    }

    /** One read of the file opened by {@link #openForRead} (GetContents on the handle). */
    default CompletableFuture<Void> read(Object session, Object opened) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("no reads through session pools here"));
    }

    /** Reads the cell itself served so far, or -1 when the pool cannot tell (workload 9's master reads). */
    default long cellReads() {
        return -1;
    }

    /**
     * The note of workload 9 on what reached the replicated core: {@code reads} is the growth of
     * {@link #cellReads()} over the {@code secs} the readers ran.
     */
    default String cellReadsNote(long reads, double secs) {
        return String.format(java.util.Locale.ROOT, "the cell served %d of them (%.1f/s)", reads, reads / secs);
    }

    /**
     * Workload 6b calls this when every session is created and the hold begins; a pool that
     * reports what reached the servers (in {@link #describe()}) counts from here.
     */
    default void holdStarted() {
    }

    /** How the sessions are carried (for the notes column). */
    String describe();

    @Override
    void close();
}
