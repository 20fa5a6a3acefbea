package io.chubby.client.internal;

import com.google.protobuf.ByteString;
import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.MasterInfo;
import io.chubby.api.NodePath;
import io.chubby.api.OpenOptions;
import io.chubby.client.ClientOptions;
import io.chubby.client.Contents;
import io.chubby.client.Handle;
import io.chubby.client.Sequencer;
import io.chubby.client.SequencerCheck;
import io.chubby.protocol.CheckSequencerRequest;
import io.chubby.protocol.MasterLocationRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What a connected client is made of: its threads (one timer, callback threads, one serial
 * notifier; the channel's MINA I/O thread), partition 0's {@link MasterFollower} channel, its
 * {@link PartitionSessions} (a {@link SessionKeeper} per partition used), and the calls that are
 * not a handle's: Open, CheckSequencer, MasterLocation. Routes by partition
 * (docs/PARTITIONING.md section 3): Open by its path, CheckSequencer by the sequencer's path, to
 * that partition's session (created on first use); a WRONG_PARTITION answer (a stale map: the
 * follower has taken the map it carried) is routed again, at most {@value #REROUTES} times. The
 * public client facade and every {@link ClientHandle} work through it. Futures it returns
 * complete on the I/O thread; the callers hand them out. Thread-safe; holds no mutable state of
 * its own.
 */
public final class ClientCore {
    private final ClientOptions options;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService callbackPool;
    private final Executor callbacks;
    private final ExecutorService notifier;
    /** How often a call refused WRONG_PARTITION is routed again by the map the refusal carried. */
    static final int REROUTES = 3;
    private final MasterFollower channel;
    private final PartitionSessions sessions;

    private ClientCore(ClientOptions options) {
        this.options = options;
        this.timer = Futures.timer("chubby-client-timer");
        this.callbackPool = Executors.newCachedThreadPool(Futures.daemon("chubby-client-callback"));
        this.callbacks = Futures.inlineWhenShutDown(callbackPool);
        this.notifier = Executors.newSingleThreadExecutor(Futures.daemon("chubby-client-notify"));
        this.channel = new MasterFollower(options, timer, callbacks);
        this.sessions = new PartitionSessions(options, channel, timer, callbacks, notifier);
    }

    /**
     * Loads and initialises, on the calling thread, what every first connect of a process needs:
     * the wire messages (protobuf builds the descriptors of client.proto once per process), the
     * frame codec, MINA's connector and I/O processor classes, the NIO selector provider. No I/O,
     * no threads; idempotent (see ChubbyClient.prepare).
     */
    public static void prepare() {
        try {
            Response.parseFrom(Response.newBuilder().setCallId(1).build().toByteArray());
            Request.newBuilder().setCallId(1).setMasterLocation(MasterLocationRequest.getDefaultInstance()).build()
                    .toByteArray();
            io.chubby.protocol.Hello.getDefaultInstance();
            io.chubby.protocol.HelloReply.getDefaultInstance();
            java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.lookup();
            lookup.ensureInitialized(io.chubby.protocol.Frames.class);
            lookup.ensureInitialized(FrameCodec.class);
            lookup.ensureInitialized(ClientNioProcessor.class);
            lookup.ensureInitialized(org.apache.mina.transport.socket.nio.NioSocketConnector.class);
            lookup.ensureInitialized(org.apache.mina.filter.codec.ProtocolCodecFilter.class);
            java.nio.channels.spi.SelectorProvider.provider();
        } catch (com.google.protobuf.InvalidProtocolBufferException | IllegalAccessException e) {
            throw new IllegalStateException("cannot prepare the client library", e);
        }
    }

    /** Finds the master and creates the session; blocks until it exists (see ChubbyClient.connect). */
    public static ClientCore connect(ClientOptions options) {
        ClientCore c = new ClientCore(options);
        try {
            Futures.join(c.sessions.create());
            return c;
        } catch (RuntimeException e) {
            c.shutdown();
            throw e;
        }
    }

    public ClientOptions options() {
        return options;
    }

    public PartitionSessions session() {
        return sessions;
    }

    /** The number of partitions of the cell by the map as last learned (1 until the cell says otherwise). */
    public int partitions() {
        return channel.discovery().map().count();
    }

    /** The partition holding the node at {@code path} by the map as last learned. */
    int partitionOf(String path) {
        return channel.discovery().map().partitionOf(path);
    }

    /**
     * The partition holding the children of the directory at {@code path} when that is not the
     * partition of its node (an anchor handle is needed there: docs/PARTITIONING.md 4.3); -1 otherwise.
     */
    int anchorPartitionOf(String path) {
        PartitionMap map = channel.discovery().map();
        if (!map.partitioned()) {
            return -1; // every node and its children on partition 0: nothing to parse or hash (each readDir asks)
        }
        NodePath dir = NodePath.parse(path);
        int h = map.partitionOfChildren(dir);
        return h != map.partitionOf(dir) ? h : -1;
    }

    /**
     * Opens the anchor handle of {@code owner}, a handle on directory D, in the partition of D's
     * children (its session created on first use); opened again by the map a WRONG_PARTITION answer
     * carried, at most {@value #REROUTES} times.
     */
    CompletableFuture<AnchorHandle> openAnchor(ClientHandle owner, int eventMask) {
        return routedTo(() -> {
            int h = anchorPartitionOf(owner.path());
            if (h < 0) {
                throw new ChubbyException(ErrorCode.WRONG_PARTITION, "the children of " + owner.path()
                        + " are no longer in another partition than the directory by the cell's map");
            }
            return h;
        }, s -> AnchorHandle.open(s, owner.path(), eventMask, owner), REROUTES);
    }

    /**
     * {@code call} on the session of the partition holding {@code path} (created on first use);
     * routed again when answered WRONG_PARTITION (nothing was applied: safe for writes too).
     */
    <T> CompletableFuture<T> routed(String path, Function<SessionKeeper, CompletableFuture<T>> call) {
        return routedTo(() -> partitionOf(path), call, REROUTES);
    }

    /** {@code call} on the session of the partition {@code partition} picks by the map as it is at each try. */
    private <T> CompletableFuture<T> routedTo(java.util.function.IntSupplier partition,
                                              Function<SessionKeeper, CompletableFuture<T>> call, int reroutes) {
        CompletableFuture<SessionKeeper> session;
        try {
            session = sessions.session(partition.getAsInt());
        } catch (ChubbyException e) {
            return Futures.failed(e);
        }
        return session.thenCompose(call).handle((v, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(v);
            }
            ChubbyException ce = Futures.chubby(e);
            if (ce.code() == ErrorCode.WRONG_PARTITION && reroutes > 0) {
                return routedTo(partition, call, reroutes - 1);
            }
            return Futures.<T>failed(ce);
        }).thenCompose(Function.identity());
    }

    /** Callback threads; after close, callbacks run on the completing thread so no future is left hanging. */
    public Executor callbacks() {
        return callbacks;
    }

    /** Opens the node at the absolute {@code path}. */
    public CompletableFuture<Handle> openAsync(String path, OpenOptions o) {
        return openAsync(path, path, null, o);
    }

    /**
     * Opens {@code sentPath} (relative to {@code dir}'s handle when given); the handle is named
     * {@code fullPath}. Routed by {@code fullPath}: when that is another partition than {@code dir}'s
     * (whose handle only its own group knows), the full path is sent instead.
     */
    CompletableFuture<Handle> openAsync(String fullPath, String sentPath, ClientHandle dir, OpenOptions o) {
        try {
            NodePath.parse(fullPath);
        } catch (ChubbyException e) {
            return Futures.failed(e);
        }
        if (sessions.expired()) {
            return Futures.failed(sessions.expiredError());
        }
        return routed(fullPath, session -> dir != null && dir.session() == session
                ? openIn(session, fullPath, sentPath, dir.handleBytes(), o)
                : openIn(session, fullPath, fullPath, null, o));
    }

    private CompletableFuture<Handle> openIn(SessionKeeper session, String fullPath, String sentPath, byte[] dirHandle,
                                             OpenOptions o) {
        // Open with create may make a node: a write, never retried once it may have been sent.
        boolean write = o.create() != CreateMode.NO;
        ClientCache cache = session.cache();
        if (!write && cache.knownAbsent(fullPath)) {
            return Futures.failed(new ChubbyException(ErrorCode.NO_SUCH_NODE, fullPath + " does not exist (cached)"));
        }
        long since = cache.generation();
        Request.Builder b = Request.newBuilder().setOpen(Wire.open(sentPath, dirHandle, o));
        CompletableFuture<Response> sent = session.calls().call(b, write).whenComplete((r, e) -> {
            if (write) {
                cache.invalidate(fullPath); // may have created it: a cached absence is wrong now
            } else if (e != null && Futures.chubby(e).code() == ErrorCode.NO_SUCH_NODE
                    && !(Futures.chubby(e) instanceof UncacheableAnswer)) {
                // the master registered us before answering; an uncacheable absence (a proxy's) registered nobody for us
                cache.fillAbsent(fullPath, since);
            }
        });
        return sent.handle((r, e) -> {
            if (e != null) {
                throw asWritten(Futures.chubby(e), fullPath);
            }
            if (!r.hasOpen()) {
                throw new ChubbyException(ErrorCode.PROTOCOL_ERROR, "Open of " + fullPath + " answered with "
                        + r.getBodyCase());
            }
            return new ClientHandle(this, session, fullPath, r.getOpen().getHandle(), r.getOpen().getCreated(),
                    r.getOpen().hasStat() ? Wire.stat(r.getOpen().getStat()) : null, b.getOpen().getEventMask());
        }).thenCompose(h -> watchingChildren(h, b.getOpen().getEventMask()));
    }

    /**
     * A directory whose children live in another partition, opened for their CHILD_* events: its
     * anchor handle is opened before the handle is handed out, so no event of a child is missed;
     * if it cannot be, the handle is closed and the Open fails. Any other handle as it is.
     */
    private CompletableFuture<Handle> watchingChildren(ClientHandle h, int eventMask) {
        if ((eventMask & AnchorHandle.CHILD_EVENTS) == 0 || !h.childrenElsewhere()) {
            return CompletableFuture.completedFuture(h);
        }
        return h.anchor().handle((a, e) -> {
            if (e != null) {
                h.closeAsync();
                throw Futures.chubby(e);
            }
            return (Handle) h;
        });
    }

    /** The master's error with the paths it names written as the caller wrote {@code path} (see {@link ErrorPaths}). */
    ChubbyException asWritten(ChubbyException e, String path) {
        return ErrorPaths.asWritten(e, path, channel.cellName());
    }

    /**
     * A read of the node at {@code path} answered by the cache without a round trip: {@code pick}
     * of its contents, or a failed future (NO_SUCH_NODE) when it is known not to exist; null on a
     * miss. A hit is sound because this session read the node before (so opening it passed the
     * ACL check; an ACL change invalidates).
     */
    public <T> CompletableFuture<T> fromCache(String path, Function<Contents, T> pick) {
        if (sessions.expired()) {
            return null;
        }
        SessionKeeper session;
        try {
            session = sessions.existing(partitionOf(path));
        } catch (ChubbyException e) {
            return null; // a bad path: the call itself says so
        }
        if (session == null) {
            return null; // no session on that partition yet: nothing cached there
        }
        ClientCache cache = session.cache();
        if (cache.knownAbsent(path)) {
            return Futures.failed(new ChubbyException(ErrorCode.NO_SUCH_NODE, path + " does not exist (cached)"));
        }
        Contents c = cache.contents(path, 0);
        return c == null ? null : CompletableFuture.completedFuture(pick.apply(c));
    }

    public CompletableFuture<SequencerCheck> checkSequencerAsync(byte[] sequencer) {
        if (sessions.expired()) {
            return Futures.failed(sessions.expiredError());
        }
        String path;
        try {
            path = Sequencer.decode(sequencer).path();
            partitionOf(path);
        } catch (RuntimeException notASequencer) {
            path = "/ls/" + NodePath.LOCAL_CELL + "/"; // the master of partition 0 says what is wrong with it
        }
        return routed(path, session -> checkSequencerIn(session, sequencer));
    }

    private CompletableFuture<SequencerCheck> checkSequencerIn(SessionKeeper session, byte[] sequencer) {
        Request.Builder b = Request.newBuilder().setCheckSequencer(CheckSequencerRequest.newBuilder()
                .setSequencer(ByteString.copyFrom(sequencer)));
        return session.calls().call(b, false).thenApply(r -> {
            if (!r.hasCheckSequencer()) {
                throw new ChubbyException(ErrorCode.PROTOCOL_ERROR, "CheckSequencer answered with " + r.getBodyCase());
            }
            return new SequencerCheck(r.getCheckSequencer().getValid(), r.getCheckSequencer().getReason());
        });
    }

    /** Where the master is, as the master answers now (does not wait for the session). */
    /** Who the master took this client to be; the connection to it exists once the session does. */
    public io.chubby.client.Identity identity() {
        io.chubby.client.Identity id = channel.identity();
        if (id == null) {
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "not connected to a master");
        }
        return id;
    }

    public MasterInfo masterInfo() {
        Request.Builder b = Request.newBuilder().setMasterLocation(MasterLocationRequest.getDefaultInstance());
        return Futures.join(sessions.zero().calls().callNow(b, false, options.callTimeout().toMillis()).thenApply(r -> {
            if (!r.hasMasterLocation()) {
                throw new ChubbyException(ErrorCode.PROTOCOL_ERROR, "MasterLocation answered with " + r.getBodyCase());
            }
            return Wire.masterInfo(r.getMasterLocation());
        }));
    }

    /** Ends the session (CloseSession, best effort, bounded by the call timeout), then stops everything. */
    public void close() {
        try {
            sessions.close().get(options.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // best effort: the master ends the session when its lease runs out
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        shutdown();
    }

    private void shutdown() {
        sessions.close();
        sessions.closeFollowers();
        channel.close();
        timer.shutdownNow();
        notifier.shutdown();
        callbackPool.shutdown();
    }
}
