package io.chubby.proxy.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.api.ChubbyException;
import io.chubby.api.NodePath;
import io.chubby.client.MasterChannel;
import io.chubby.protocol.GetContentsReply;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.Invalidation;
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
import java.util.function.BiConsumer;

/**
 * Reads served from the proxy's shared cache ({@link ProxyCache}; bundles/proxy README, "Reads and
 * the cache"). The proxy learns which node a client handle names from the Open answers it passes
 * back (absolute path, READ mode, node instance; ephemeral files and directories are never cached:
 * a handle of the proxy's own would keep an ephemeral file alive). A GetContents on such a handle,
 * by a session the proxy renews, is answered from the cache, {@code cacheable=false} (the proxy's
 * session stays the only holder); one that misses is read upstream once with the proxy's own
 * session (concurrent misses of one path share that read) and fills the cache; anything else
 * passes through. {@link #settle} applies the invalidations and flushes of the proxy's session
 * before they are acknowledged. When the proxy carries its clients' principals, a cached entry is
 * served to a principal only while {@link ReadGrants} holds the master's read decision for it (an
 * Open with READ or a pass-through read the master allowed, for that node instance and ACL
 * generation); otherwise the read passes through, and its answer grants. Thread-safe.
 */
final class CacheReads {
    private static final int READ = 1;

    /** A client handle the cache may serve: its session, the node's key and absolute path, its instance. */
    private record HandleInfo(long sessionId, String path, String absolute, long instance) {
    }

    private final MasterChannel channel;
    private final SessionTable<ClientConnection> table;
    private final ProxyCache cache;
    private final Clock clock;
    private final Duration callTimeout;
    private final BiConsumer<ClientConnection, Request> passThrough;
    private final Principals principals;
    private final ReadGrants grants;
    private final Map<ByteString, HandleInfo> handles = new ConcurrentHashMap<>();
    private final Map<String, ByteString> ownHandles = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Boolean>> fills = new ConcurrentHashMap<>();

    CacheReads(MasterChannel channel, SessionTable<ClientConnection> table, ProxyCache cache, Clock clock,
               Duration callTimeout, BiConsumer<ClientConnection, Request> passThrough, Principals principals,
               ReadGrants grants) {
        this.principals = principals;
        this.grants = grants;
        this.channel = channel;
        this.table = table;
        this.cache = cache;
        this.clock = clock;
        this.callTimeout = callTimeout;
        this.passThrough = passThrough;
    }

    /**
     * A forwarded Open was answered: remember which node the handle names, if it may be cached, and
     * that the master let the client's principal read it ({@code era}: taken before it was sent).
     */
    void opened(ClientConnection conn, Request req, byte[] answer, long era) {
        OpenRequest o = req.getOpen();
        if ((o.getModeBits() & READ) == 0 || !o.getDirHandle().isEmpty() || o.getDirectory() || o.getEphemeral()) {
            return;
        }
        try {
            Response r = Response.parseFrom(answer);
            if (r.hasOpen() && !r.hasError() && !r.getOpen().getStat().getEphemeral()
                    && !r.getOpen().getStat().getDirectory()) {
                // keyed cell-relative, as the master names nodes in invalidations (/ls/<cell>/a/b -> /a/b)
                HandleInfo h = new HandleInfo(req.getSessionId(), NodePath.parse(o.getPath()).cellRelative(),
                        o.getPath(), r.getOpen().getStat().getInstance());
                handles.put(r.getOpen().getHandle(), h);
                grant(conn, h.path(), r.getOpen().getStat(), era);
            }
        } catch (InvalidProtocolBufferException | ChubbyException e) {
            // not an answer (or a name) to remember: the handle is served uncached
        }
    }

    /** A GetContents passed through was answered: the master let the client's principal read that node. */
    void readThrough(ClientConnection conn, Request req, byte[] answer, long era) {
        HandleInfo h = handles.get(req.getGetContents().getHandle());
        if (h == null || !principals.carrying()) {
            return;
        }
        try {
            Response r = Response.parseFrom(answer);
            if (!r.hasError() && r.hasGetContents()) {
                grant(conn, h.path(), r.getGetContents().getStat(), era);
            }
        } catch (InvalidProtocolBufferException e) {
            // not an answer: nothing granted
        }
    }

    private void grant(ClientConnection conn, String path, io.chubby.protocol.StatMessage stat, long era) {
        if (principals.carrying()) {
            grants.grant(principals.of(conn), path, stat.getInstance(), stat.getAclGeneration(), era);
        }
    }

    /** Whether the cached {@code e} may be served to the principal of {@code conn}. */
    private boolean mayServe(ClientConnection conn, HandleInfo h, ProxyCache.Entry e) {
        return !principals.carrying()
                || grants.granted(principals.of(conn), h.path(), e.instance(), e.stat().getAclGeneration());
    }

    /**
     * A handle that is being closed, or given a sequencer to be checked against (a stale one must
     * fail its calls), is not served from the cache any more.
     */
    void forget(Request req) {
        handles.remove(req.hasClose() ? req.getClose().getHandle() : req.getSetSequencer().getHandle());
    }

    /**
     * Answers a GetContents from the cache, or fills it; false: pass it through. (GetStat always goes
     * to the master: a lock's generation changes without an invalidation, and a client that has not
     * cached the node expects the master's current answer.)
     */
    boolean tryServe(ClientConnection conn, Request req) {
        long now = clock.millis();
        if (req.getGetContents().getNoCache()) {
            return false;
        }
        HandleInfo h = handles.get(req.getGetContents().getHandle());
        if (h == null || h.sessionId() != req.getSessionId() || !table.serving(req.getSessionId(), now)
                || !table.ownLive(now) || !principals.mayUse(conn, table.connectionOf(req.getSessionId()))) {
            // (another principal presenting the session and handle: the master refuses it)
            return false;
        }
        ProxyCache.Entry held = cache.serveFilled(h.path(), h.instance());
        if (held != null && !mayServe(conn, h, held)) {
            return false; // the master has not let this principal read it (yet, or since an ACL change)
        }
        ProxyCache.Entry e = cache.serve(h.path(), h.instance());
        if (e != null && mayServe(conn, h, e)) {
            conn.send(answer(req, e));
            return true;
        }
        fill(h).whenComplete((ok, err) -> {
            ProxyCache.Entry f = Boolean.TRUE.equals(ok) && table.serving(req.getSessionId(), clock.millis())
                    ? cache.serveFilled(h.path(), h.instance()) : null;
            if (f != null && mayServe(conn, h, f)) {
                conn.send(answer(req, f));
            } else {
                passThrough.accept(conn, req);
            }
        });
        return true;
    }

    private static byte[] answer(Request req, ProxyCache.Entry e) {
        return Response.newBuilder().setCallId(req.getCallId()).setGetContents(GetContentsReply.newBuilder()
                .setContents(e.contents()).setStat(e.stat()).setCacheable(false)).build().toByteArray();
    }

    /** One upstream read per path at a time; completes true when the cache holds the node instance asked for. */
    private CompletableFuture<Boolean> fill(HandleInfo h) {
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> running = fills.putIfAbsent(h.path(), mine);
        if (running != null) {
            return running;
        }
        long generation = cache.generation(h.path());
        long own = table.ownSession();
        ownHandle(own, h)
                .thenCompose(oh -> call(own, Request.newBuilder().setGetContents(GetContentsRequest.newBuilder()
                        .setHandle(oh))))
                .whenComplete((r, err) -> {
                    boolean filled = false;
                    if (err == null && r.hasGetContents() && !r.hasError()) {
                        GetContentsReply g = r.getGetContents();
                        filled = g.getCacheable() && g.getStat().getInstance() == h.instance()
                                && cache.fill(h.path(), generation, new ProxyCache.Entry(h.instance(),
                                g.getContents(), g.getStat()));
                    } else {
                        ownHandles.remove(h.path()); // stale (node gone, new epoch refused it): open again next time
                    }
                    fills.remove(h.path(), mine);
                    mine.complete(filled);
                });
        return mine;
    }

    private CompletableFuture<ByteString> ownHandle(long own, HandleInfo info) {
        ByteString h = ownHandles.get(info.path());
        if (h != null) {
            return CompletableFuture.completedFuture(h);
        }
        return call(own, Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(info.absolute())
                .setModeBits(READ))).thenApply(r -> {
                    if (!r.hasOpen() || r.hasError()) {
                        throw new IllegalStateException("open " + info.absolute() + ": " + r.getError().getMessage());
                    }
                    ownHandles.put(info.path(), r.getOpen().getHandle());
                    return r.getOpen().getHandle();
                });
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

    /**
     * Applies what arrived for the proxy's own session: a flush (failover, CACHE_DROPPED) empties the
     * cache before the session acknowledges it; an invalidation drops the path before it is
     * acknowledged. Returns true when the group KeepAlive has something new to carry.
     */
    boolean settle() {
        SessionTable.OwnNews news = table.takeOwnNews();
        if (news.flush()) {
            cache.flush();
            table.ownFlushed();
        }
        for (Invalidation inv : news.invalidations()) {
            cache.invalidate(inv.getPath()); // cell-relative, as the entries are keyed
            table.ackOwn(inv.getId());
        }
        return table.changed();
    }

    /** A new session of the proxy's own: nothing it held before counts. */
    void ownRenewed() {
        cache.flush();
        ownHandles.clear();
    }
}
