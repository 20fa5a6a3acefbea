package io.chubby.client.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.Event;
import io.chubby.api.MasterInfo;
import io.chubby.api.NodePath;
import io.chubby.api.OpenOptions;
import io.chubby.api.SessionState;
import io.chubby.api.Stat;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.protocol.MasterLocationRequest;
import io.chubby.protocol.Request;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The {@link ChubbyClient}: owns the threads (one timer, callback threads, one serial notifier,
 * MINA's I/O thread), the {@link Dispatcher} and the {@link SessionKeeper}. Thread-safe; holds no
 * mutable state of its own besides the volatile closed flag.
 */
public final class CellClient implements ChubbyClient {
    private final ClientOptions options;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService callbacks;
    private final ExecutorService notifier;
    private final Dispatcher dispatcher;
    private final SessionKeeper session;
    private volatile boolean closed;

    private CellClient(ClientOptions options) {
        this.options = options;
        this.timer = Futures.timer("chubby-client-timer");
        this.callbacks = Executors.newCachedThreadPool(Futures.daemon("chubby-client-callback"));
        this.notifier = Executors.newSingleThreadExecutor(Futures.daemon("chubby-client-notify"));
        this.dispatcher = new Dispatcher(options, timer);
        this.session = new SessionKeeper(options, dispatcher, timer, notifier);
    }

    /** See {@link ChubbyClient#connect}. */
    public static ChubbyClient connect(ClientOptions options) {
        CellClient c = new CellClient(options);
        try {
            Futures.join(c.session.create());
            return c;
        } catch (RuntimeException e) {
            c.shutdown();
            throw e;
        }
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    SessionKeeper session() {
        return session;
    }

    /** Callback threads; after close, callbacks run on the completing thread so no future is left hanging. */
    Executor callbacks() {
        return r -> {
            try {
                callbacks.execute(r);
            } catch (RejectedExecutionException closedAlready) {
                r.run();
            }
        };
    }

    @Override
    public ClientOptions options() {
        return options;
    }

    // ---- handles ----

    @Override
    public Handle open(String path, OpenOptions options) {
        return Futures.join(openAsync(path, options));
    }

    @Override
    public CompletableFuture<Handle> openAsync(String path, OpenOptions options) {
        return deliver(openAsync(path, path, null, options));
    }

    /** Opens {@code sentPath} (relative to {@code dir} when given); the handle is named {@code fullPath}. */
    CompletableFuture<Handle> openAsync(String fullPath, String sentPath, ClientHandle dir, OpenOptions o) {
        try {
            NodePath.parse(fullPath);
        } catch (ChubbyException e) {
            return Futures.failed(e);
        }
        if (session.expired()) {
            return Futures.failed(session.expiredError());
        }
        // Open with create may make a node: a write, never retried once it may have been sent.
        boolean write = o.create() != CreateMode.NO;
        ClientCache cache = session.cache();
        if (!write && cache.knownAbsent(fullPath)) {
            return Futures.failed(new ChubbyException(ErrorCode.NO_SUCH_NODE, fullPath + " does not exist (cached)"));
        }
        long since = cache.generation();
        Request.Builder b = Request.newBuilder().setOpen(Wire.open(sentPath, dir == null ? null : dir.handleBytes(), o));
        CompletableFuture<io.chubby.protocol.Response> sent = dispatcher.call(b, write).whenComplete((r, e) -> {
            if (write) {
                cache.invalidate(fullPath); // may have created it: a cached absence is wrong now
            } else if (e != null && Futures.chubby(e).code() == ErrorCode.NO_SUCH_NODE) {
                cache.fillAbsent(fullPath, since); // the master registered us before answering
            }
        });
        return sent.thenApply(r -> {
            if (!r.hasOpen()) {
                throw new ChubbyException(ErrorCode.PROTOCOL_ERROR, "Open of " + fullPath + " answered with "
                        + r.getBodyCase());
            }
            return new ClientHandle(this, fullPath, r.getOpen().getHandle(), r.getOpen().getCreated(),
                    r.getOpen().hasStat() ? Wire.stat(r.getOpen().getStat()) : null);
        });
    }

    // ---- convenience ----

    @Override
    public byte[] read(String path) {
        return Futures.join(readAsync(path));
    }

    @Override
    public CompletableFuture<byte[]> readAsync(String path) {
        CompletableFuture<byte[]> cached = fromCache(path, c -> c.data());
        if (cached != null) {
            return cached;
        }
        return withHandle(path, OpenOptions.read(), h -> h.getContentsAndStatAsync().thenApply(c -> c.data()));
    }

    @Override
    public Stat write(String path, byte[] data) {
        return Futures.join(writeAsync(path, data));
    }

    @Override
    public CompletableFuture<Stat> writeAsync(String path, byte[] data) {
        OpenOptions o = OpenOptions.write().withCreate(CreateMode.MAY).withInitialContents(data);
        return withHandle(path, o, h -> h.created() && h.openStat() != null
                ? CompletableFuture.completedFuture(h.openStat()) : h.setContentsAsync(data));
    }

    @Override
    public void mkdir(String path) {
        Futures.join(mkdirAsync(path));
    }

    @Override
    public CompletableFuture<Void> mkdirAsync(String path) {
        OpenOptions o = OpenOptions.write().withCreate(CreateMode.MUST).asDirectory();
        return withHandle(path, o, h -> CompletableFuture.completedFuture(null));
    }

    @Override
    public void delete(String path) {
        Futures.join(deleteAsync(path));
    }

    @Override
    public CompletableFuture<Void> deleteAsync(String path) {
        return withHandle(path, OpenOptions.write(), Handle::deleteAsync);
    }

    @Override
    public List<DirEntry> list(String path) {
        return Futures.join(listAsync(path));
    }

    @Override
    public CompletableFuture<List<DirEntry>> listAsync(String path) {
        return withHandle(path, OpenOptions.read(), Handle::readDirAsync);
    }

    @Override
    public Stat stat(String path) {
        return Futures.join(statAsync(path));
    }

    @Override
    public CompletableFuture<Stat> statAsync(String path) {
        CompletableFuture<Stat> cached = fromCache(path, c -> c.stat());
        if (cached != null) {
            return cached;
        }
        return withHandle(path, OpenOptions.read(), Handle::getStatAsync);
    }

    @Override
    public boolean exists(String path) {
        return Futures.join(existsAsync(path));
    }

    @Override
    public CompletableFuture<Boolean> existsAsync(String path) {
        return deliver(statAsync(path).handle((s, e) -> {
            if (e == null) {
                return true;
            }
            ChubbyException ce = Futures.chubby(e);
            if (ce.code() == ErrorCode.NO_SUCH_NODE) {
                return false;
            }
            throw ce;
        }));
    }

    /**
     * A convenience read answered by the cache without a round trip (this session read the node
     * before, so opening it passed the ACL check; an ACL change invalidates); null on a miss.
     */
    private <T> CompletableFuture<T> fromCache(String path, Function<io.chubby.client.Contents, T> pick) {
        if (session.expired()) {
            return null;
        }
        ClientCache cache = session.cache();
        if (cache.knownAbsent(path)) {
            return Futures.failed(new ChubbyException(ErrorCode.NO_SUCH_NODE, path + " does not exist (cached)"));
        }
        io.chubby.client.Contents c = cache.contents(path, 0);
        return c == null ? null : CompletableFuture.completedFuture(pick.apply(c));
    }

    @Override
    public long localLeaseRemainingMillis() {
        return session.leaseRemainingMillis();
    }

    /** Cache statistics: entries, hits, misses (for tools and benchmarks). */
    public long[] cacheStats() {
        ClientCache c = session.cache();
        return new long[] {c.size(), c.hits(), c.misses()};
    }

    /** Opens, runs one call, closes (without waiting for the close: it never fails). */
    private <T> CompletableFuture<T> withHandle(String path, OpenOptions o, Function<Handle, CompletableFuture<T>> op) {
        CompletableFuture<T> out = new CompletableFuture<>();
        openAsync(path, path, null, o).whenComplete((h, e) -> {
            if (e != null) {
                out.completeExceptionally(Futures.chubby(e));
                return;
            }
            CompletableFuture<T> f;
            try {
                f = op.apply(h);
            } catch (RuntimeException x) {
                f = CompletableFuture.failedFuture(x);
            }
            f.whenComplete((v, e2) -> {
                h.closeAsync();
                if (e2 != null) {
                    out.completeExceptionally(Futures.chubby(e2));
                } else {
                    out.complete(v);
                }
            });
        });
        return deliver(out);
    }

    /** Completes the caller's future on a callback thread with the unwrapped ChubbyException. */
    private <T> CompletableFuture<T> deliver(CompletableFuture<T> raw) {
        CompletableFuture<T> out = new CompletableFuture<>();
        raw.whenCompleteAsync((v, e) -> {
            if (e != null) {
                out.completeExceptionally(Futures.chubby(e));
            } else {
                out.complete(v);
            }
        }, callbacks());
        return out;
    }

    // ---- cell and session ----

    @Override
    public CompletableFuture<io.chubby.client.SequencerCheck> checkSequencerAsync(byte[] sequencer) {
        if (session.expired()) {
            return Futures.failed(session.expiredError());
        }
        Request.Builder b = Request.newBuilder().setCheckSequencer(io.chubby.protocol.CheckSequencerRequest
                .newBuilder().setSequencer(com.google.protobuf.ByteString.copyFrom(sequencer)));
        return deliver(dispatcher.call(b, false).thenApply(r -> {
            if (!r.hasCheckSequencer()) {
                throw new ChubbyException(ErrorCode.PROTOCOL_ERROR, "CheckSequencer answered with " + r.getBodyCase());
            }
            return new io.chubby.client.SequencerCheck(r.getCheckSequencer().getValid(),
                    r.getCheckSequencer().getReason());
        }));
    }

    @Override
    public MasterInfo masterInfo() {
        Request.Builder b = Request.newBuilder().setMasterLocation(MasterLocationRequest.getDefaultInstance());
        return Futures.join(dispatcher.call(b, false, options.callTimeout().toMillis()).thenApply(r -> {
            if (!r.hasMasterLocation()) {
                throw new ChubbyException(ErrorCode.PROTOCOL_ERROR, "MasterLocation answered with " + r.getBodyCase());
            }
            return Wire.masterInfo(r.getMasterLocation());
        }));
    }

    @Override
    public long sessionId() {
        return session.sessionId();
    }

    @Override
    public SessionState sessionState() {
        return session.state();
    }

    @Override
    public void addSessionListener(Consumer<SessionState> listener) {
        session.addStateListener(listener);
    }

    @Override
    public void removeSessionListener(Consumer<SessionState> listener) {
        session.removeStateListener(listener);
    }

    @Override
    public void addEventListener(Consumer<Event> listener) {
        session.addEventListener(listener);
    }

    @Override
    public void removeEventListener(Consumer<Event> listener) {
        session.removeEventListener(listener);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close().get(options.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // best effort: the master ends the session when its lease runs out
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        shutdown();
    }

    private void shutdown() {
        closed = true;
        session.close();
        dispatcher.close();
        timer.shutdownNow();
        notifier.shutdown();
        callbacks.shutdown();
    }
}
