package io.chubby.client;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.Event;
import io.chubby.api.MasterInfo;
import io.chubby.api.OpenOptions;
import io.chubby.api.SessionState;
import io.chubby.api.Stat;
import io.chubby.client.internal.ClientCore;
import io.chubby.client.internal.Futures;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The library's {@link ChubbyClient}: a facade over a {@link ClientCore} (threads, master channel,
 * session). Convenience calls are open, one handle call, close; every future handed to the
 * application completes on a callback thread. It lives in the API package, package-private, so
 * that {@link ChubbyClient#connect} can create it while no internal class refers back to the
 * public API it implements. Thread-safe; holds no mutable state besides its closing state.
 */
final class CellClient implements ChubbyClient {
    private final ClientCore core;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Completes when the first close() has ended the session (or given up on the master). */
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private CellClient(ClientCore core) {
        this.core = core;
    }

    static ChubbyClient connect(ClientOptions options) {
        return new CellClient(ClientCore.connect(options));
    }

    @Override
    public ClientOptions options() {
        return core.options();
    }

    // ---- handles ----

    @Override
    public Handle open(String path, OpenOptions options) {
        return Futures.join(openAsync(path, options));
    }

    @Override
    public CompletableFuture<Handle> openAsync(String path, OpenOptions options) {
        return deliver(core.openAsync(path, options));
    }

    // ---- convenience ----

    @Override
    public byte[] read(String path) {
        return Futures.join(readAsync(path));
    }

    @Override
    public CompletableFuture<byte[]> readAsync(String path) {
        return readAsync(path, CacheMode.CACHED);
    }

    @Override
    public byte[] read(String path, CacheMode mode) {
        return Futures.join(readAsync(path, mode));
    }

    @Override
    public CompletableFuture<byte[]> readAsync(String path, CacheMode mode) {
        if (mode == CacheMode.CACHED) {
            CompletableFuture<byte[]> cached = core.fromCache(path, Contents::data);
            if (cached != null) {
                return cached;
            }
        }
        return withHandle(path, OpenOptions.read(), h -> h.getContentsAndStatAsync(mode).thenApply(Contents::data));
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
    public CompletableFuture<Boolean> ensureDirectoryAsync(String path) {
        OpenOptions o = OpenOptions.write().withCreate(CreateMode.MAY).asDirectory();
        return withHandle(path, o, h -> {
            if (h.created()) {
                return CompletableFuture.completedFuture(true);
            }
            // MAY opens whatever has the name: a file must not pass for the directory asked for
            CompletableFuture<Stat> st = h.openStat() != null ? CompletableFuture.completedFuture(h.openStat())
                    : h.getStatAsync();
            return st.thenApply(s -> {
                if (!s.directory()) {
                    throw new ChubbyException(ErrorCode.EXISTS, path + " exists and is a file, not a directory");
                }
                return false;
            });
        });
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
        CompletableFuture<Stat> cached = core.fromCache(path, Contents::stat);
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

    @Override
    public long localLeaseRemainingMillis() {
        return core.session().leaseRemainingMillis();
    }

    /** Opens, runs one call, closes (without waiting for the close: it never fails). */
    private <T> CompletableFuture<T> withHandle(String path, OpenOptions o, Function<Handle, CompletableFuture<T>> op) {
        CompletableFuture<T> out = new CompletableFuture<>();
        core.openAsync(path, o).whenComplete((h, e) -> {
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
        }, core.callbacks());
        return out;
    }

    // ---- cell and session ----

    @Override
    public CompletableFuture<SequencerCheck> checkSequencerAsync(byte[] sequencer) {
        return deliver(core.checkSequencerAsync(sequencer));
    }

    @Override
    public Identity identity() {
        return core.identity();
    }

    @Override
    public MasterInfo masterInfo() {
        return core.masterInfo();
    }

    @Override
    public int partitions() {
        return core.partitions();
    }

    @Override
    public long sessionId() {
        return core.session().sessionId();
    }

    @Override
    public SessionState sessionState() {
        return core.session().state();
    }

    @Override
    public void addSessionListener(Consumer<SessionState> listener) {
        core.session().addStateListener(listener);
    }

    @Override
    public void removeSessionListener(Consumer<SessionState> listener) {
        core.session().removeStateListener(listener);
    }

    @Override
    public java.util.Map<Integer, SessionState> partitionStates() {
        return core.session().partitionStates();
    }

    @Override
    public void addPartitionStateListener(PartitionStateListener listener) {
        core.session().addPartitionListener(listener);
    }

    @Override
    public void removePartitionStateListener(PartitionStateListener listener) {
        core.session().removePartitionListener(listener);
    }

    @Override
    public void addEventListener(Consumer<Event> listener) {
        core.session().addEventListener(listener);
    }

    @Override
    public void removeEventListener(Consumer<Event> listener) {
        core.session().removeEventListener(listener);
    }

    /**
     * The first caller ends the session; a concurrent caller (e.g. a shutdown hook while the main
     * thread closes) returns only once that is done, so that a process exiting after its close()
     * never cuts the CloseSession short. Bounded: the first close waits at most the call timeout.
     */
    @Override
    public void close() {
        if (closing.compareAndSet(false, true)) {
            try {
                core.close();
            } finally {
                closed.complete(null);
            }
            return;
        }
        try {
            closed.get(core.options().callTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // never fails: the master ends the session when its lease runs out
        }
    }
}
