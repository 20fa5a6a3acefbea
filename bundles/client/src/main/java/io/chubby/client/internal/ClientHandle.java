package io.chubby.client.internal;

import com.google.protobuf.ByteString;
import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.OpenOptions;
import io.chubby.api.Stat;
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
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A handle: the server's opaque handle bytes plus local closed/poisoned flags. Thread-safe: the
 * flags are volatile and outstanding calls sit in a concurrent set so {@link #poison()} can fail them.
 */
final class ClientHandle implements Handle {
    private final CellClient client;
    private final String path;
    private final ByteString handle;
    private final boolean created;
    private final Stat openStat;
    private final Set<CompletableFuture<?>> outstanding = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile boolean poisoned;
    private volatile CompletableFuture<Void> closing;

    ClientHandle(CellClient client, String path, ByteString handle, boolean created, Stat openStat) {
        this.client = client;
        this.path = path;
        this.handle = handle;
        this.created = created;
        this.openStat = openStat;
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

    byte[] handleBytes() {
        return handle.toByteArray();
    }

    @Override
    public Handle open(String relativeName, OpenOptions options) {
        return Futures.join(openAsync(relativeName, options));
    }

    @Override
    public CompletableFuture<Handle> openAsync(String relativeName, OpenOptions options) {
        ChubbyException refused = refusal();
        if (refused != null) {
            return Futures.failed(refused);
        }
        String rel = relativeName.startsWith("/") ? relativeName.substring(1) : relativeName;
        return track(client.openAsync(path.endsWith("/") ? path + rel : path + "/" + rel, rel, this, options));
    }

    @Override
    public Contents getContentsAndStat() {
        return Futures.join(getContentsAndStatAsync());
    }

    @Override
    public CompletableFuture<Contents> getContentsAndStatAsync() {
        return call(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(handle)), false,
                r -> new Contents(r.getGetContents().getContents().toByteArray(), Wire.stat(r.getGetContents().getStat())),
                Response::hasGetContents);
    }

    @Override
    public Stat getStat() {
        return Futures.join(getStatAsync());
    }

    @Override
    public CompletableFuture<Stat> getStatAsync() {
        return call(Request.newBuilder().setGetStat(GetStatRequest.newBuilder().setHandle(handle)), false,
                r -> Wire.stat(r.getStat()), Response::hasStat);
    }

    @Override
    public List<DirEntry> readDir() {
        return Futures.join(readDirAsync());
    }

    @Override
    public CompletableFuture<List<DirEntry>> readDirAsync() {
        return call(Request.newBuilder().setReadDir(ReadDirRequest.newBuilder().setHandle(handle)), false,
                r -> Wire.entries(r.getReadDir().getEntriesList()), Response::hasReadDir);
    }

    @Override
    public Stat setContents(byte[] data) {
        return Futures.join(setContentsAsync(data));
    }

    @Override
    public CompletableFuture<Stat> setContentsAsync(byte[] data) {
        return setContents(SetContentsRequest.newBuilder().setHandle(handle).setContents(ByteString.copyFrom(data)));
    }

    @Override
    public Stat setContents(byte[] data, long expectedGeneration) {
        return Futures.join(setContentsAsync(data, expectedGeneration));
    }

    @Override
    public CompletableFuture<Stat> setContentsAsync(byte[] data, long expectedGeneration) {
        return setContents(SetContentsRequest.newBuilder().setHandle(handle).setContents(ByteString.copyFrom(data))
                .setCas(true).setExpectedGeneration(expectedGeneration));
    }

    private CompletableFuture<Stat> setContents(SetContentsRequest.Builder b) {
        return call(Request.newBuilder().setSetContents(b), true, r -> Wire.stat(r.getSetContents().getStat()),
                Response::hasSetContents);
    }

    @Override
    public void setAcl(String readAcl, String writeAcl, String changeAcl) {
        Futures.join(setAclAsync(readAcl, writeAcl, changeAcl));
    }

    @Override
    public CompletableFuture<Void> setAclAsync(String readAcl, String writeAcl, String changeAcl) {
        return call(Request.newBuilder().setSetAcl(SetAclRequest.newBuilder().setHandle(handle)
                .setReadAcl(Wire.nz(readAcl)).setWriteAcl(Wire.nz(writeAcl)).setChangeAcl(Wire.nz(changeAcl))),
                true, r -> null, r -> true);
    }

    @Override
    public void delete() {
        Futures.join(deleteAsync());
    }

    @Override
    public CompletableFuture<Void> deleteAsync() {
        return call(Request.newBuilder().setDelete(DeleteRequest.newBuilder().setHandle(handle)), true, r -> null,
                r -> true);
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
        if (client.session().expired()) {
            closing = CompletableFuture.completedFuture(null);
            return closing;
        }
        // Close does not wait for jeopardy to end and is retried like a read: closing twice is harmless.
        closing = client.dispatcher().call(Request.newBuilder().setClose(CloseRequest.newBuilder().setHandle(handle)),
                false, client.options().callTimeout().toMillis()).handle((r, e) -> null);
        return closing;
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
        if (client.session().expired()) {
            return client.session().expiredError();
        }
        return null;
    }

    private <T> CompletableFuture<T> call(Request.Builder body, boolean write, Function<Response, T> map,
                                          java.util.function.Predicate<Response> hasBody) {
        ChubbyException refused = refusal();
        if (refused != null) {
            return Futures.failed(refused);
        }
        CompletableFuture<T> raw = client.dispatcher().call(body, write).thenApply(r -> {
            if (!hasBody.test(r)) {
                throw new ChubbyException(ErrorCode.PROTOCOL_ERROR, "unexpected answer " + r.getBodyCase()
                        + " to " + body.getBodyCase() + " on " + path);
            }
            return map.apply(r);
        });
        return track(raw);
    }

    /** Hands the result out on a callback thread, failing it early if the handle gets poisoned. */
    private <T> CompletableFuture<T> track(CompletableFuture<T> raw) {
        CompletableFuture<T> out = new CompletableFuture<>();
        outstanding.add(out);
        raw.whenCompleteAsync((v, e) -> {
            outstanding.remove(out);
            if (e != null) {
                out.completeExceptionally(Futures.chubby(e));
            } else {
                out.complete(v);
            }
        }, client.callbacks());
        if (poisoned) {
            out.completeExceptionally(poisonedError());
        }
        return out;
    }
}
