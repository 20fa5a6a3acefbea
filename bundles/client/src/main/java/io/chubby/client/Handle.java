package io.chubby.client;

import io.chubby.api.DirEntry;
import io.chubby.api.OpenOptions;
import io.chubby.api.Stat;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An open handle on one node instance, like a file descriptor (SPEC section 3). Thread-safe.
 *
 * <p>Every call exists in a synchronous form, which throws {@link io.chubby.api.ChubbyException}
 * carrying the server's {@link io.chubby.api.ErrorCode}, and an {@code ...Async} form whose
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

    /** Reads the whole file and its metadata (needs READ). */
    Contents getContentsAndStat();

    CompletableFuture<Contents> getContentsAndStatAsync();

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
}
