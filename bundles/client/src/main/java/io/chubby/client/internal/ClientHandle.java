package io.chubby.client.internal;

import com.google.protobuf.ByteString;
import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.api.Stat;
import io.chubby.client.CacheMode;
import io.chubby.client.Contents;
import io.chubby.client.Handle;
import io.chubby.protocol.CloseRequest;
import io.chubby.protocol.DeleteRequest;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.GetStatRequest;
import io.chubby.protocol.ReadDirRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetAclRequest;
import io.chubby.protocol.SetContentsRequest;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A handle: the server's opaque handle bytes plus local closed/poisoned flags. Thread-safe: the
 * flags are volatile and outstanding calls sit in a concurrent set so {@link #poison()} can fail them.
 */
final class ClientHandle implements Handle {
    private final ClientCore core;
    private final SessionKeeper session; // the partition session that opened it: the only one its group knows it in
    private final String path;
    private final ByteString handle;
    private final boolean created;
    private final Stat openStat;
    private final Set<CompletableFuture<?>> outstanding = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile boolean poisoned;
    private volatile CompletableFuture<Void> closing;
    private final HandleLocks locks;
    /** The event mask it was opened with: its anchor handle hears the CHILD_* part of it. */
    private final int eventMask;
    /** Its anchor handle while it is a directory whose children live in another partition (else null). */
    private CompletableFuture<AnchorHandle> anchor;

    ClientHandle(ClientCore core, SessionKeeper session, String path, ByteString handle, boolean created,
                 Stat openStat, int eventMask) {
        this.eventMask = eventMask;
        this.core = core;
        this.session = session;
        this.path = path;
        this.handle = handle;
        this.created = created;
        this.openStat = openStat;
        this.locks = new HandleLocks(core, session.calls(), handle, path);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public boolean created() {
        return created;
    }

    @Override
    public Stat openStat() {
        return openStat;
    }

    /** The partition session this handle belongs to. */
    SessionKeeper session() {
        return session;
    }

    byte[] handleBytes() {
        return handle.toByteArray();
    }

    /** Whether this is a directory whose children live in another partition than its node (4.3). */
    boolean childrenElsewhere() {
        return openStat != null && openStat.directory() && core.anchorPartitionOf(path) >= 0;
    }

    /** Its anchor handle, opened on first use (an Open subscribing CHILD_* events opens it at once). */
    synchronized CompletableFuture<AnchorHandle> anchor() {
        if (anchor == null || anchor.isCompletedExceptionally()) {
            anchor = core.openAnchor(this, eventMask);
        }
        return anchor;
    }

    /** An event its anchor handle heard (a CHILD_* event of a child in another partition), as its own. */
    void deliver(io.chubby.api.Event event) {
        if (!closed) {
            session.handleEvents().deliver(handle, event);
        }
    }

    @Override
    public Handle open(String relativeName, OpenOptions options) {
        return join(() -> openAsync(relativeName, options));
    }

    @Override
    public CompletableFuture<Handle> openAsync(String relativeName, OpenOptions options) {
        ChubbyException refused = refusal();
        if (refused != null) {
            return Futures.failed(refused);
        }
        String rel = relativeName.startsWith("/") ? relativeName.substring(1) : relativeName;
        return track(core.openAsync(path.endsWith("/") ? path + rel : path + "/" + rel, rel, this, options));
    }

    @Override
    public Contents getContentsAndStat() {
        Contents hit = cached();
        return hit != null ? hit : join(this::getContentsAndStatAsync); // a hit costs no call set-up
    }

    @Override
    public CompletableFuture<Contents> getContentsAndStatAsync() {
        return getContentsAndStatAsync(CacheMode.CACHED);
    }

    @Override
    public Contents getContentsAndStat(CacheMode mode) {
        Contents hit = mode == CacheMode.CACHED ? cached() : null;
        return hit != null ? hit : join(() -> getContentsAndStatAsync(mode));
    }

    @Override
    public CompletableFuture<Contents> getContentsAndStatAsync(CacheMode mode) {
        boolean cacheIt = mode == CacheMode.CACHED;
        Contents hit = cacheIt ? cached() : null;
        if (hit != null) {
            return CompletableFuture.completedFuture(hit);
        }
        ClientCache cache = session.cache();
        long since = cache.generation();
        return call(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(handle)
                        .setNoCache(!cacheIt)), false,
                r -> {
                    Contents c = new Contents(r.getGetContents().getContents().toByteArray(),
                            Wire.stat(r.getGetContents().getStat()));
                    if (cacheIt && r.getGetContents().getCacheable()) {
                        cache.fillContents(path, since, c.data(), c.stat());
                    }
                    return c;
                }, Response::hasGetContents);
    }

    /** The cached contents of this node, or null: nothing cached, or the handle may not be used. */
    private Contents cached() {
        return refusal() == null ? session.cache().contents(path, instance()) : null;
    }

    /** The node instance this handle was opened on (-1 if unknown: then nothing is served from the cache). */
    private long instance() {
        return openStat == null ? -1 : openStat.instance();
    }

    @Override
    public Stat getStat() {
        return join(this::getStatAsync);
    }

    @Override
    public CompletableFuture<Stat> getStatAsync() {
        if (refusal() == null) {
            Stat hit = session.cache().stat(path, instance());
            if (hit != null) {
                return CompletableFuture.completedFuture(hit);
            }
        }
        return call(Request.newBuilder().setGetStat(GetStatRequest.newBuilder().setHandle(handle)), false,
                r -> Wire.stat(r.getStat()), Response::hasStat);
    }

    @Override
    public List<DirEntry> readDir() {
        return join(this::readDirAsync);
    }

    @Override
    public CompletableFuture<List<DirEntry>> readDirAsync() {
        boolean elsewhere;
        try {
            elsewhere = childrenElsewhere();
        } catch (ChubbyException e) {
            return Futures.failed(e); // a hash this client does not know
        }
        if (elsewhere) {
            ChubbyException refused = refusal();
            return refused != null ? Futures.failed(refused) : track(anchor().thenCompose(AnchorHandle::readDir));
        }
        return call(Request.newBuilder().setReadDir(ReadDirRequest.newBuilder().setHandle(handle)), false,
                r -> Wire.entries(r.getReadDir().getEntriesList()), Response::hasReadDir);
    }

    @Override
    public Stat setContents(byte[] data) {
        return join(() -> setContentsAsync(data));
    }

    @Override
    public CompletableFuture<Stat> setContentsAsync(byte[] data) {
        return setContents(SetContentsRequest.newBuilder().setHandle(handle).setContents(ByteString.copyFrom(data)));
    }

    @Override
    public Stat setContents(byte[] data, long expectedGeneration) {
        return join(() -> setContentsAsync(data, expectedGeneration));
    }

    @Override
    public CompletableFuture<Stat> setContentsAsync(byte[] data, long expectedGeneration) {
        return setContents(SetContentsRequest.newBuilder().setHandle(handle).setContents(ByteString.copyFrom(data))
                .setCas(true).setExpectedGeneration(expectedGeneration));
    }

    /**
     * Our own write: the master does not invalidate the writer's cache, so the entry is dropped
     * when the answer (or failure) arrives, before the caller sees it.
     */
    private CompletableFuture<Stat> setContents(SetContentsRequest.Builder b) {
        return call(Request.newBuilder().setSetContents(b), true, r -> Wire.stat(r.getSetContents().getStat()),
                Response::hasSetContents, true);
    }

    @Override
    public void setAcl(String readAcl, String writeAcl, String changeAcl) {
        join(() -> setAclAsync(readAcl, writeAcl, changeAcl));
    }

    @Override
    public CompletableFuture<Void> setAclAsync(String readAcl, String writeAcl, String changeAcl) {
        return call(Request.newBuilder().setSetAcl(SetAclRequest.newBuilder().setHandle(handle)
                .setReadAcl(Wire.nz(readAcl)).setWriteAcl(Wire.nz(writeAcl)).setChangeAcl(Wire.nz(changeAcl))),
                true, r -> null, r -> true, true);
    }

    @Override
    public void delete() {
        join(this::deleteAsync);
    }

    @Override
    public CompletableFuture<Void> deleteAsync() {
        return call(Request.newBuilder().setDelete(DeleteRequest.newBuilder().setHandle(handle)), true, r -> null,
                r -> true, true);
    }

    @Override
    public void close() {
        closeAsync().join(); // never fails: closeAsync swallows every error
    }

    @Override
    public synchronized CompletableFuture<Void> closeAsync() {
        if (closing != null) {
            return closing;
        }
        closed = true;
        session.handleEvents().removeAll(handle);
        long timeout = core.options().callTimeout().toMillis();
        if (anchor != null) {
            anchor.thenCompose(a -> a.close(timeout));
        }
        if (core.session().expired()) {
            closing = CompletableFuture.completedFuture(null);
            return closing;
        }
        // Close does not wait for jeopardy to end and is retried like a read: closing twice is harmless.
        closing = session.calls().callNow(Request.newBuilder().setClose(CloseRequest.newBuilder().setHandle(handle)),
                false, core.options().callTimeout().toMillis()).handle((r, e) -> null);
        return closing;
    }

    @Override
    public void addEventListener(java.util.function.Consumer<io.chubby.api.Event> listener) {
        session.handleEvents().add(handle, listener);
    }

    @Override
    public void removeEventListener(java.util.function.Consumer<io.chubby.api.Event> listener) {
        session.handleEvents().remove(handle, listener);
    }

    @Override
    public void poison() {
        poisoned = true;
        for (CompletableFuture<?> f : outstanding) {
            f.completeExceptionally(poisonedError());
        }
    }

    @Override
    public boolean isPoisoned() {
        return poisoned;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    // ---- locks ----

    @Override
    public CompletableFuture<Boolean> acquireAsync(LockMode mode, Duration timeout) {
        return lockCall(() -> locks.acquire(mode, timeout, false), true);
    }

    @Override
    public CompletableFuture<Boolean> tryAcquireAsync(LockMode mode) {
        return lockCall(() -> locks.acquire(mode, null, true), false);
    }

    @Override
    public CompletableFuture<Void> releaseAsync() {
        return lockCall(locks::release, false);
    }

    @Override
    public CompletableFuture<io.chubby.client.Sequencer> getSequencerAsync() {
        return lockCall(locks::getSequencer, false);
    }

    @Override
    public CompletableFuture<Void> setSequencerAsync(io.chubby.client.Sequencer sequencer) {
        return lockCall(() -> locks.setSequencer(sequencer), false);
    }

    @Override
    public CompletableFuture<io.chubby.client.LockInfo> lockInfoAsync() {
        return lockCall(locks::lockInfo, false);
    }

    @Override
    public boolean acquire(LockMode mode, Duration timeout) {
        return sync(() -> Handle.super.acquire(mode, timeout));
    }

    @Override
    public boolean tryAcquire(LockMode mode) {
        return sync(() -> Handle.super.tryAcquire(mode));
    }

    @Override
    public void release() {
        sync(() -> {
            Handle.super.release();
            return null;
        });
    }

    /**
     * Runs a lock call unless the handle refuses calls; the result is handed out on a callback
     * thread. With {@code cancellable}, cancelling the returned future cancels the call itself
     * (a blocking Acquire then releases at the master).
     */
    private <T> CompletableFuture<T> lockCall(java.util.function.Supplier<CompletableFuture<T>> call,
                                              boolean cancellable) {
        ChubbyException refused = refusal();
        if (refused != null) {
            return Futures.failed(refused);
        }
        CompletableFuture<T> raw = call.get();
        CompletableFuture<T> out = track(raw);
        if (cancellable) {
            out.whenComplete((v, e) -> {
                if (out.isCancelled() || e instanceof ChubbyException ce && ce.code() == ErrorCode.CANCELLED) {
                    raw.completeExceptionally(new ChubbyException(ErrorCode.CANCELLED, "lock wait on " + path
                            + " cancelled"));
                }
            });
        }
        return out;
    }

    /** Set on a thread while it runs a synchronous call of this class (see {@link #track}). */
    private static final ThreadLocal<Boolean> SYNC_CALLER = new ThreadLocal<>();

    /** A synchronous call: makes the call inside {@link #sync} and waits for its result. */
    private static <T> T join(Supplier<CompletableFuture<T>> call) {
        return sync(() -> Futures.join(call.get()));
    }

    /** Runs the body of a synchronous method: the caller blocks until its result is there. */
    private static <T> T sync(Supplier<T> body) {
        if (SYNC_CALLER.get() != null) {
            return body.get();
        }
        SYNC_CALLER.set(Boolean.TRUE);
        try {
            return body.get();
        } finally {
            SYNC_CALLER.remove();
        }
    }

    private ChubbyException poisonedError() {
        return new ChubbyException(ErrorCode.CANCELLED, "handle on " + path + " was poisoned");
    }

    /** Null when calls may be made on this handle, else why not. */
    private ChubbyException refusal() {
        if (poisoned) {
            return poisonedError();
        }
        if (closed) {
            return new ChubbyException(ErrorCode.BAD_HANDLE, "handle on " + path + " is closed");
        }
        if (core.session().expired()) {
            return core.session().expiredError();
        }
        return null;
    }

    private <T> CompletableFuture<T> call(Request.Builder body, boolean write, Function<Response, T> map,
                                          java.util.function.Predicate<Response> hasBody) {
        return call(body, write, map, hasBody, false);
    }

    private <T> CompletableFuture<T> call(Request.Builder body, boolean write, Function<Response, T> map,
                                          java.util.function.Predicate<Response> hasBody, boolean invalidates) {
        ChubbyException refused = refusal();
        if (refused != null) {
            return Futures.failed(refused);
        }
        CompletableFuture<T> raw = session.calls().call(body, write).thenApply(r -> {
            if (!hasBody.test(r)) {
                throw new ChubbyException(ErrorCode.PROTOCOL_ERROR, "unexpected answer " + r.getBodyCase()
                        + " to " + body.getBodyCase() + " on " + path);
            }
            return map.apply(r);
        });
        if (invalidates) {
            // Dropped before track() hands the result out, so the caller never reads its old value back.
            raw = raw.whenComplete((v, e) -> session.cache().invalidate(path));
        }
        return track(raw);
    }

    /**
     * Hands the result out on a callback thread, failing it early if the handle gets poisoned.
     * Inside {@link #sync} the result is handed over on the thread that completes it (the I/O
     * thread) instead: the only one waiting is the blocked caller, so no user code runs there, and
     * a synchronous call saves a thread hand-off.
     */
    private <T> CompletableFuture<T> track(CompletableFuture<T> raw) {
        CompletableFuture<T> out = new CompletableFuture<>();
        outstanding.add(out);
        BiConsumer<T, Throwable> handOut = (v, e) -> {
            outstanding.remove(out);
            if (e != null) {
                out.completeExceptionally(core.asWritten(Futures.chubby(e), path));
            } else {
                out.complete(v);
            }
        };
        if (SYNC_CALLER.get() != null) {
            raw.whenComplete(handOut);
        } else {
            raw.whenCompleteAsync(handOut, core.callbacks());
        }
        if (poisoned) {
            out.completeExceptionally(poisonedError());
        }
        return out;
    }
}
