package io.chubby.proxy.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.api.OpenOptions;
import io.chubby.client.MasterChannel;
import io.chubby.protocol.CloseRequest;
import io.chubby.protocol.Create;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.proxy.internal.core.ProxyCache;
import io.chubby.proxy.internal.core.ReadGrants;
import io.chubby.proxy.internal.core.SessionTable;
import io.chubby.spi.ClientConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Opens of absent nodes answered from the proxy's cache (bundles/proxy README, "Reads and the
 * cache"). A client's Open without create that the master answers NO_SUCH_NODE marks the path
 * probed ({@link ProxyCache#probe}); the next such Open of it is a <em>fill</em>: the proxy opens
 * the path upstream with its own session, which registers that session for the absence at the
 * master (its CacheTracker invalidates it when the node is created, and {@code settle} drops the
 * entry before that is acknowledged, as for contents), and the answer is kept unless the path was
 * invalidated or the cache flushed meanwhile. From then on such Opens are answered here with the
 * master's NO_SUCH_NODE marked {@code Error.uncacheable}: the client's own session is not
 * registered, so it must not keep the answer. Only clients that set
 * {@code OpenRequest.honours_uncacheable} are so served, only for sessions the proxy renews within
 * the lease it promised, and, when principals are carried, only to a principal the master itself
 * answered NO_SUCH_NODE for that path ({@link ReadGrants#grantAbsence}: the master checks read on
 * the directory first). Everything else passes through with the client's session, as before.
 * Thread-safe.
 */
final class CacheAbsence {
    private static final int READ = 1;

    private final MasterChannel channel;
    private final SessionTable<ClientConnection> table;
    private final ProxyCache cache;
    private final Clock clock;
    private final Duration callTimeout;
    private final BiConsumer<ClientConnection, Request> passThrough;
    private final Principals principals;
    private final ReadGrants grants;
    private final Map<String, CompletableFuture<Boolean>> fills = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong fillsSent = new AtomicLong();

    /** @param passThrough sends an Open to the master with the client's session (and calls {@link #passed}) */
    CacheAbsence(MasterChannel channel, SessionTable<ClientConnection> table, ProxyCache cache, Clock clock,
                 Duration callTimeout, BiConsumer<ClientConnection, Request> passThrough, Principals principals,
                 ReadGrants grants) {
        this.channel = channel;
        this.table = table;
        this.cache = cache;
        this.clock = clock;
        this.callTimeout = callTimeout;
        this.passThrough = passThrough;
        this.principals = principals;
        this.grants = grants;
    }

    /** Answers an Open from the cached absence, or fills it; false: pass it through. */
    boolean tryServe(ClientConnection conn, Request req) {
        OpenRequest o = req.getOpen();
        String path = absenceKey(o);
        if (path == null || !o.getHonoursUncacheable()) {
            return false;
        }
        long now = clock.millis();
        long session = req.getSessionId();
        if (!table.serving(session, now) || !table.ownLive(now)
                || !principals.mayUse(conn, table.connectionOf(session)) || !mayLearn(conn, path)) {
            return false;
        }
        String message = cache.absent(path);
        if (message != null) {
            hits.incrementAndGet();
            conn.send(answer(req, message));
            return true;
        }
        if (!cache.probed(path)) {
            return false; // a first probe costs the master nothing extra
        }
        fill(path, o.getPath()).whenComplete((ok, err) -> {
            String m = Boolean.TRUE.equals(ok) && table.serving(session, clock.millis()) ? cache.absent(path) : null;
            if (m != null && mayLearn(conn, path)) {
                conn.send(answer(req, m));
            } else {
                passThrough.accept(conn, req);
            }
        });
        return true;
    }

    /**
     * An Open passed to the master was answered ({@code era}: taken before it was sent): a
     * NO_SUCH_NODE marks the path probed and lets the client's principal learn its absence from the
     * cache; an open node is not worth filling any more.
     */
    void passed(ClientConnection conn, Request req, byte[] answer, long era) {
        String path = absenceKey(req.getOpen());
        if (path == null) {
            return;
        }
        try {
            Response r = Response.parseFrom(answer);
            if (r.hasError() && r.getError().getCode() == ErrorCode.NO_SUCH_NODE.wire()) {
                cache.probe(path);
                if (principals.carrying()) {
                    grants.grantAbsence(principals.of(conn), path, era);
                }
            } else if (r.hasOpen()) {
                cache.unprobe(path);
            }
        } catch (InvalidProtocolBufferException e) {
            // not an answer: nothing learnt
        }
    }

    private boolean mayLearn(ClientConnection conn, String path) {
        return !principals.carrying() || grants.absenceGranted(principals.of(conn), path);
    }

    /** The cell-relative key of an Open whose NO_SUCH_NODE may be cached; null for any other Open. */
    static String absenceKey(OpenRequest o) {
        if (o.getCreate() != Create.CREATE_NO || !o.getDirHandle().isEmpty()
                || o.getLockDelayMs() > OpenOptions.MAX_LOCK_DELAY_MILLIS) {
            return null; // a create is a write; a relative Open names its node by a handle; a bad one is refused
        }
        try {
            return NodePath.parse(o.getPath()).cellRelative();
        } catch (ChubbyException e) {
            return null; // the master answers a bad name
        }
    }

    private static byte[] answer(Request req, String message) {
        return Response.newBuilder().setCallId(req.getCallId()).setError(io.chubby.protocol.Error.newBuilder()
                .setCode(ErrorCode.NO_SUCH_NODE.wire()).setMessage(message).setUncacheable(true))
                .build().toByteArray();
    }

    /** One upstream Open per path at a time; completes true when the cache holds the path's absence. */
    private CompletableFuture<Boolean> fill(String path, String absolute) {
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> running = fills.putIfAbsent(path, mine);
        if (running != null) {
            return running;
        }
        long generation = cache.generation(path);
        long own = table.ownSession();
        fillsSent.incrementAndGet();
        call(own, Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(absolute).setModeBits(READ)))
                .whenComplete((r, err) -> {
                    boolean filled = false;
                    if (err == null && r.hasError() && r.getError().getCode() == ErrorCode.NO_SUCH_NODE.wire()) {
                        filled = cache.fillAbsent(path, generation, r.getError().getMessage());
                    } else if (err == null && r.hasOpen()) {
                        cache.unprobe(path); // it exists: let go of the handle (it would keep an ephemeral node alive)
                        call(own, Request.newBuilder().setClose(CloseRequest.newBuilder()
                                .setHandle(r.getOpen().getHandle())));
                    }
                    fills.remove(path, mine);
                    mine.complete(filled);
                });
        return mine;
    }

    private CompletableFuture<Response> call(long session, Request.Builder req) {
        return channel.call(req.setSessionId(session).build().toByteArray(), MasterChannel.Retry.IDEMPOTENT, callTimeout)
                .thenApply(bytes -> {
                    try {
                        return Response.parseFrom(bytes);
                    } catch (InvalidProtocolBufferException e) {
                        throw new IllegalStateException("undecodable answer", e);
                    }
                });
    }

    /** Opens answered from the cache (not counting the one whose fill it was). */
    long hits() {
        return hits.get();
    }

    /** Opens the proxy's own session sent to fill the cache. */
    long fills() {
        return fillsSent.get();
    }
}
