package io.chubby.client;

import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.api.Stat;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * An open handle on one node instance, like a file descriptor (SPEC section 3). Thread-safe.
 *
 * <p>Every call exists in a synchronous form, which throws {@link ChubbyException}
 * carrying the server's {@link ErrorCode}, and an {@code ...Async} form whose
 * future completes exceptionally with that same exception (callbacks such as {@code whenComplete}
 * receive it unwrapped; {@code join()} wraps it in a {@code CompletionException} as usual).
 * Futures are completed on the client's callback threads, never on its I/O thread, so callbacks
 * may make further (even synchronous) calls.
 *
 * <p>After {@link #close()} every call fails with BAD_HANDLE; after {@link #poison()} every
 * outstanding and later call fails with CANCELLED; after the session expired every call fails
 * with SESSION_EXPIRED, except {@code close} and {@code poison}, which never fail.
 */
public interface Handle extends AutoCloseable {

    /** The absolute name of the node this handle was opened on. */
    String path();

    /** Whether the Open that returned this handle created the node. */
    boolean created();

    /** The node's metadata as returned by the Open. */
    Stat openStat();

    /** Opens {@code relativeName} (e.g. "a" or "a/b") below this directory handle. */
    Handle open(String relativeName, OpenOptions options);

    CompletableFuture<Handle> openAsync(String relativeName, OpenOptions options);

    /** Reads the whole file and its metadata (needs READ), from the cache when it holds them. */
    Contents getContentsAndStat();

    CompletableFuture<Contents> getContentsAndStatAsync();

    /**
     * Reads the whole file and its metadata; with {@link CacheMode#UNCACHED} always from the master,
     * without caching the answer or signing the session up as a cache holder of the node.
     *
     * @since 1.3.0
     */
    default Contents getContentsAndStat(CacheMode mode) {
        return Sync.await(getContentsAndStatAsync(mode));
    }

    /** Asynchronous {@link #getContentsAndStat(CacheMode)}. @since 1.3.0 */
    default CompletableFuture<Contents> getContentsAndStatAsync(CacheMode mode) {
        return mode == CacheMode.CACHED ? getContentsAndStatAsync() : unsupported("an uncached read");
    }

    /** The node's metadata (needs READ). */
    Stat getStat();

    CompletableFuture<Stat> getStatAsync();

    /** The children of this directory with their metadata, in name order (needs READ). */
    List<DirEntry> readDir();

    CompletableFuture<List<DirEntry>> readDirAsync();

    /** Replaces the whole file (needs WRITE); returns the metadata after the write. */
    Stat setContents(byte[] data);

    CompletableFuture<Stat> setContentsAsync(byte[] data);

    /**
     * Compare-and-swap: replaces the file only if its content generation is still
     * {@code expectedGeneration}; otherwise fails with CAS_MISMATCH and changes nothing.
     */
    Stat setContents(byte[] data, long expectedGeneration);

    CompletableFuture<Stat> setContentsAsync(byte[] data, long expectedGeneration);

    /** Sets the three ACL names of the node (needs CHANGE_ACL); null keeps a name unchanged. */
    void setAcl(String readAcl, String writeAcl, String changeAcl);

    CompletableFuture<Void> setAclAsync(String readAcl, String writeAcl, String changeAcl);

    /** Deletes the node (needs WRITE); a directory must be empty. */
    void delete();

    CompletableFuture<Void> deleteAsync();

    /**
     * Closes the handle. Never fails: the server is told on a best-effort basis, and the handle
     * is dead locally whatever happens. Idempotent.
     */
    @Override
    void close();

    /** Like {@link #close()}; the future always completes normally. */
    CompletableFuture<Void> closeAsync();

    /**
     * Makes every outstanding and later call on this handle fail with CANCELLED, without closing
     * it (so locks and ephemeral nodes held through it stay until {@link #close()}). Never fails.
     */
    void poison();

    /** Whether {@link #poison()} was called. */
    boolean isPoisoned();

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    // ---- events (SPEC section 6) ----

    /**
     * Registers a listener for the events this handle subscribed to at open
     * ({@link io.chubby.api.OpenOptions#withEvents}), plus MASTER_FAILED_OVER (events may have been
     * lost). Listeners run on the client's serial notifier thread, in the session's order; closing
     * the handle drops them.
     */
    default void addEventListener(java.util.function.Consumer<io.chubby.api.Event> listener) {
        throw new UnsupportedOperationException("per-handle event listeners are not supported by this implementation");
    }

    default void removeEventListener(java.util.function.Consumer<io.chubby.api.Event> listener) {
    }

    // ---- locks and sequencers (SPEC section 5); the handle must be opened with WRITE ----

    /**
     * Acquires the node's lock in {@code mode}, waiting as long as it takes (FIFO-fair). Interrupting
     * the waiting thread cancels the wait (CANCELLED).
     */
    default void acquire(LockMode mode) {
        acquire(mode, null);
    }

    /**
     * Acquires the lock, waiting at most {@code timeout} (null: no limit); false when it timed out.
     * The master holds the request until the lock is granted; after a master failover the request
     * is re-sent and keeps its place in the queue. Interrupting the caller cancels the wait.
     */
    default boolean acquire(LockMode mode, Duration timeout) {
        CompletableFuture<Boolean> f = acquireAsync(mode, timeout);
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new ChubbyException(ErrorCode.CANCELLED,
                    "interrupted while waiting for the lock on " + path(), e);
        } catch (ExecutionException e) {
            throw Sync.failure(e);
        }
    }

    /**
     * Asynchronous {@link #acquire(LockMode, Duration)}: completes with true
     * when granted, false on timeout. Cancelling the future cancels the wait at the master (by
     * sending Release, which also releases the lock if it was granted meanwhile).
     */
    default CompletableFuture<Boolean> acquireAsync(LockMode mode, Duration timeout) {
        return unsupported("acquire");
    }

    /** Takes the lock only if that is possible at once (and nobody waits); false otherwise. */
    default boolean tryAcquire(LockMode mode) {
        return joinLock(tryAcquireAsync(mode));
    }

    default CompletableFuture<Boolean> tryAcquireAsync(LockMode mode) {
        return unsupported("tryAcquire");
    }

    /** Releases the lock held through this handle (or cancels its wait). Releasing nothing succeeds. */
    default void release() {
        joinLock(releaseAsync());
    }

    default CompletableFuture<Void> releaseAsync() {
        return unsupported("release");
    }

    /** The sequencer of the lock this handle holds (INVALID_ARGUMENT if it holds none). */
    default Sequencer getSequencer() {
        return joinLock(getSequencerAsync());
    }

    default CompletableFuture<Sequencer> getSequencerAsync() {
        return unsupported("getSequencer");
    }

    /**
     * Fences this handle with a sequencer (typically one a client sent you): from now on every
     * call on this handle fails with STALE_SEQUENCER once that sequencer is no longer valid.
     * Fails STALE_SEQUENCER at once if it is not valid now, INVALID_ARGUMENT if forged.
     */
    default void setSequencer(Sequencer sequencer) {
        joinLock(setSequencerAsync(sequencer));
    }

    default CompletableFuture<Void> setSequencerAsync(Sequencer sequencer) {
        return unsupported("setSequencer");
    }

    /** Holders, waiters and lock-delay of this node's lock (any open handle may ask). */
    default LockInfo lockInfo() {
        return joinLock(lockInfoAsync());
    }

    default CompletableFuture<LockInfo> lockInfoAsync() {
        return unsupported("lockInfo");
    }

    private static <T> CompletableFuture<T> unsupported(String what) {
        return CompletableFuture.failedFuture(new ChubbyException(
                ErrorCode.INVALID_ARGUMENT, what + " is not supported by this Handle implementation"));
    }

    private static <T> T joinLock(CompletableFuture<T> f) {
        return Sync.await(f);
    }
}
