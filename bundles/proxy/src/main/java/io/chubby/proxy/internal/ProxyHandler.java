package io.chubby.proxy.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.api.ErrorCode;
import io.chubby.client.MasterChannel;
import io.chubby.protocol.Create;
import io.chubby.protocol.LeavingNotice;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.StatusReply;
import io.chubby.proxy.internal.core.ProxyCache;
import io.chubby.proxy.internal.core.ReadGrants;
import io.chubby.proxy.internal.core.SessionLimit;
import io.chubby.proxy.internal.core.SessionTable;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.RequestHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The proxy as its clients see it: a {@link RequestHandler} behind the transport's client
 * acceptor. KeepAlives are absorbed ({@link SessionTable}, renewed upstream by the
 * {@link GroupKeeper}); MasterLocation and Status are answered here; every other call goes to the
 * master over the raw channel with the client's session id and handle bytes unchanged, and its
 * answer comes back with the client's call id. Thread-safe: called on transport I/O threads.
 */
final class ProxyHandler implements RequestHandler {
    /** The longest a lock wait without a timeout is forwarded before the client is told to ask again. */
    private static final Duration OPEN_ENDED_WAIT = Duration.ofMinutes(10);

    /**
     * What the proxy knows of its upstream, for MasterLocation and Status answers: the cell's last
     * MasterLocation answer (the whole partition map in a partitioned cell).
     */
    record Upstream(MasterLocation location) {
        /** Before the cell answered: no cell name, no master, one partition. */
        static final Upstream UNKNOWN = new Upstream(MasterLocation.getDefaultInstance());

        String cell() {
            return location.getCell();
        }

        int masterId() {
            return location.getMasterId();
        }

        /** The cell's N (at least 1). */
        int partitions() {
            return Math.max(1, location.getPartitions());
        }

        /** A cell of more than one partition: calls are passed on by partition ({@link PartitionRouter}). */
        boolean partitioned() {
            return partitions() > 1;
        }
    }

    private final MasterChannel channel;
    private final SessionTable<ClientConnection> table;
    private final GroupKeeper keeper;
    private final Clock clock;
    private final String advertise;
    private final Duration callTimeout;
    private final Duration writeTimeout;
    private final Supplier<Upstream> upstream;
    private final ProxyCache cache;
    private final CacheReads reads;
    private final CacheAbsence absence;
    private final Principals principals;
    private final ReadGrants grants;
    private final AtomicInteger connections = new AtomicInteger();
    /** The proxy bundle's version: which build serves (e.g. after a newer jar was dropped into deploy/). */
    private final String version;
    /** GetContents passed to the master with the client's own session (not served from the cache). */
    private final AtomicLong readsPassed = new AtomicLong();
    /** New client sessions beyond this are refused (set by the server from {@code proxy.max.sessions}). */
    private volatile SessionLimit limit = SessionLimit.of(0, Runtime.getRuntime().maxMemory());
    private final AtomicLong sessionsRefused = new AtomicLong();
    /** Opens without create passed to the master with the client's own session (not answered from the cache). */
    private final AtomicLong opensPassed = new AtomicLong();
    /** Calls in front of a partitioned cell: passed on to their partition's master. */
    private final PartitionRouter router;
    /** The sessions of a cell of one partition ({@link #table}, {@link #keeper}). */
    private final PartitionKeepers.Keeping single;
    /** In front of a partitioned cell: per partition, its clients' sessions and group KeepAlive. */
    private final PartitionKeepers keepers;

    ProxyHandler(MasterChannel channel, SessionTable<ClientConnection> table, GroupKeeper keeper,
                 PartitionKeepers keepers, Clock clock, String advertise, Duration callTimeout, Duration maxLease,
                 Supplier<Upstream> upstream, ProxyCache cache, Principals principals, ReadGrants grants,
                 String version) {
        this.version = version;
        this.principals = principals;
        this.grants = grants;
        this.channel = channel;
        this.table = table;
        this.keeper = keeper;
        this.clock = clock;
        this.advertise = advertise;
        this.callTimeout = callTimeout;
        this.writeTimeout = callTimeout.plus(maxLease);
        this.upstream = upstream;
        this.cache = cache;
        this.reads = new CacheReads(channel, table, cache, clock, callTimeout, this::readThrough, principals, grants);
        this.absence = new CacheAbsence(channel, table, cache, clock, callTimeout, this::openThrough, principals, grants);
        this.router = new PartitionRouter(channel, advertise);
        this.single = new PartitionKeepers.Keeping(table, keeper);
        this.keepers = keepers;
    }

    @Override
    public Greeting greeting() {
        return new Greeting(upstream.get().cell(), 0);
    }

    @Override
    public void connected(ClientConnection connection) {
        connections.incrementAndGet();
    }

    @Override
    public void disconnected(ClientConnection connection) {
        connections.decrementAndGet();
        if (table.disconnected(connection) > 0) {
            settle();
            keeper.poke();
        }
        for (PartitionKeepers.Keeping k : keepers.all()) {
            if (k.table().disconnected(connection) > 0) {
                k.keeper().poke();
            }
        }
    }

    @Override
    public void request(ClientConnection conn, byte[] bytes) {
        Request req;
        try {
            req = Request.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            conn.send(Replies.error(0, ErrorCode.PROTOCOL_ERROR, "undecodable request: " + e.getMessage()));
            return;
        }
        if (upstream.get().partitioned() && routed(conn, req, bytes)) {
            return;
        }
        switch (req.getBodyCase()) {
            case MASTER_LOCATION -> conn.send(Response.newBuilder().setCallId(req.getCallId())
                    .setMasterLocation(location()).build().toByteArray());
            case STATUS -> conn.send(Response.newBuilder().setCallId(req.getCallId()).setStatus(status()).build()
                    .toByteArray());
            case ADMIN -> conn.send(Replies.error(req.getCallId(), ErrorCode.INVALID_ARGUMENT,
                    "a proxy runs no admin commands: ask a replica of the cell"));
            case GROUP_KEEP_ALIVE -> conn.send(Replies.error(req.getCallId(), ErrorCode.INVALID_ARGUMENT,
                    "a proxy takes no group KeepAlives: point a proxy at the cell, not at another proxy"));
            case KEEP_ALIVE -> {
                if (keepAlive(conn, req, single)) {
                    settle();
                }
            }
            case CREATE_SESSION -> createSession(conn, req, bytes, single, table.clientSessions());
            case CLOSE_SESSION -> forward(conn, req, bytes).whenComplete((r, e) -> {
                table.closed(req.getSessionId());
                settle();
                keeper.poke();
            });
            case GET_CONTENTS -> {
                if (!reads.tryServe(conn, req)) {
                    readThrough(conn, req);
                }
            }
            case OPEN -> {
                if (!absence.tryServe(conn, req)) {
                    openThrough(conn, req);
                }
            }
            case CLOSE, SET_SEQUENCER -> {
                reads.forget(req); // from now on its calls go to the master (closed: BAD_HANDLE; fenced: checked)
                forward(conn, req, bytes);
            }
            default -> forward(conn, req, bytes);
        }
    }

    /**
     * In front of a partitioned cell: a client's partition sessions are created at, and renewed
     * with the group KeepAlive of, their partition ({@link PartitionKeepers}); every other call but
     * MasterLocation, Status and the refused ones (Admin, GroupKeepAlive) goes on to its partition's
     * master as it came, not served from the cache, which serves a cell of one partition only
     * (README "Partitioned cells"). Returns whether it took the call.
     */
    private boolean routed(ClientConnection conn, Request req, byte[] bytes) {
        switch (req.getBodyCase()) {
            case MASTER_LOCATION, STATUS, ADMIN, GROUP_KEEP_ALIVE -> {
                return false;
            }
            case CREATE_SESSION -> {
                createSession(conn, req, bytes, keepers.of(req.getPartition()), keepers.clientSessions());
                return true;
            }
            case KEEP_ALIVE -> {
                keepAlive(conn, req, keepers.of(req.getPartition()));
                return true;
            }
            case CLOSE_SESSION -> {
                PartitionKeepers.Keeping k = keepers.of(req.getPartition());
                forward(conn, req, bytes).whenComplete((r, e) -> {
                    k.table().closed(req.getSessionId());
                    k.keeper().poke();
                });
                return true;
            }
            default -> {
                boolean write = isWrite(req);
                router.pass(conn, req, principals.upstream(conn, req, bytes),
                        write ? MasterChannel.Retry.AT_MOST_ONCE : MasterChannel.Retry.IDEMPOTENT, timeout(req, write));
                return true;
            }
        }
    }

    /** A client's KeepAlive, absorbed into {@code k}'s table; returns whether the table took it. */
    private boolean keepAlive(ClientConnection conn, Request req, PartitionKeepers.Keeping k) {
        if (req.getSessionId() == 0) {
            conn.send(Replies.error(req.getCallId(), ErrorCode.SESSION_EXPIRED,
                    "this call needs a session: send CreateSession first"));
            return false;
        }
        ClientConnection holder = k.table().connectionOf(req.getSessionId());
        if (!principals.mayUse(conn, holder)) {
            conn.send(Replies.error(req.getCallId(), ErrorCode.PERMISSION_DENIED, "session " + req.getSessionId()
                    + " belongs to " + holder.principal().name() + ", not to " + conn.principal().name()));
            return false;
        }
        send(k.table().keepAlive(conn, req.getSessionId(), req.getCallId(), req.getKeepAlive(), clock.millis()));
        return true;
    }

    /** A GetContents for the master: its answer grants the client's principal cached reads of that node. */
    private void readThrough(ClientConnection conn, Request req) {
        readsPassed.incrementAndGet();
        long era = grants.era();
        forward(conn, req, req.toByteArray(), answer -> reads.readThrough(conn, req, answer, era));
    }

    /** An Open for the master: its answer tells the caches which node a handle names, or that a path is absent. */
    private void openThrough(ClientConnection conn, Request req) {
        if (!isWrite(req)) {
            opensPassed.incrementAndGet();
        }
        long era = grants.era();
        forward(conn, req, req.toByteArray(), answer -> {
            reads.opened(conn, req, answer, era);
            absence.passed(conn, req, answer, era);
        });
    }

    /** Cache bookkeeping after the session table changed; a group call when there is something to carry. */
    void settle() {
        if (reads.settle()) {
            keeper.poke();
        }
    }

    /** The proxy's own session was created again: its cache starts empty. */
    void ownRenewed() {
        reads.ownRenewed();
    }

    void limit(SessionLimit limit) {
        this.limit = limit;
    }

    /** A client's CreateSession, its session renewed from then on by {@code k} ({@code sessions}: how many it has). */
    private void createSession(ClientConnection conn, Request req, byte[] bytes, PartitionKeepers.Keeping k,
                               int sessions) {
        if (!limit.admitsNew(sessions)) {
            sessionsRefused.incrementAndGet();
            conn.send(refusal(req.getCallId(), sessions));
            return;
        }
        long sentAt = clock.millis();
        byte[] upstreamBytes = principals.upstream(conn, req, bytes);
        channel.callDirect(upstreamBytes, MasterChannel.Retry.IDEMPOTENT, callTimeout).whenComplete((answer, err) -> {
            if (err != null) {
                conn.send(Replies.failure(req.getCallId(), err));
                return;
            }
            Response r;
            try {
                r = Response.parseFrom(answer);
            } catch (InvalidProtocolBufferException e) {
                conn.send(Replies.error(req.getCallId(), ErrorCode.PROTOCOL_ERROR, "proxy: undecodable answer"));
                return;
            }
            if (!r.hasCreateSession()) {
                conn.send(Replies.withCallId(answer, req.getCallId()));
                return;
            }
            long now = clock.millis();
            long promise = k.table().created(r.getCreateSession().getSessionId(), conn,
                    r.getCreateSession().getLeaseMs(), sentAt, now, now);
            k.keeper().poke();
            conn.send(r.toBuilder().setCallId(req.getCallId())
                    .setCreateSession(r.getCreateSession().toBuilder().setLeaseMs(promise)).build().toByteArray());
        });
    }

    /** Passes a call to the master and its answer (or the failure, in the master's words) back. */
    private java.util.concurrent.CompletableFuture<byte[]> forward(ClientConnection conn, Request req, byte[] bytes) {
        return forward(conn, req, bytes, answer -> { });
    }

    /** As above; {@code seen} reads the answer before the client gets it (so its next call finds what it recorded). */
    private java.util.concurrent.CompletableFuture<byte[]> forward(ClientConnection conn, Request req, byte[] bytes,
                                                                   java.util.function.Consumer<byte[]> seen) {
        boolean write = isWrite(req);
        byte[] upstreamBytes = principals.upstream(conn, req, bytes); // the client's principal, when carried
        return channel.callDirect(upstreamBytes, write ? MasterChannel.Retry.AT_MOST_ONCE : MasterChannel.Retry.IDEMPOTENT,
                timeout(req, write)).whenComplete((answer, err) -> {
                    if (err == null) {
                        seen.accept(answer);
                    }
                    conn.send(err == null ? Replies.withCallId(answer, req.getCallId())
                            : Replies.failure(req.getCallId(), err));
                });
    }

    static boolean isWrite(Request req) {
        return switch (req.getBodyCase()) {
            case SET_CONTENTS, SET_ACL, DELETE -> true;
            case OPEN -> req.getOpen().getCreate() != Create.CREATE_NO;
            default -> false;
        };
    }

    /** Writes may be held by the master for a cacher's lease; lock waits last their own timeout. */
    private Duration timeout(Request req, boolean write) {
        if (write) {
            return writeTimeout;
        }
        if (req.hasAcquire() && !req.getAcquire().getTryOnly()) {
            long ms = req.getAcquire().getTimeoutMs();
            return ms == 0 ? OPEN_ENDED_WAIT : callTimeout.plusMillis(ms);
        }
        return callTimeout;
    }

    void send(List<SessionTable.Answer<ClientConnection>> answers) {
        for (SessionTable.Answer<ClientConnection> a : answers) {
            ClientConnection c = a.connection();
            if (c == null || !c.isOpen()) {
                continue;
            }
            if (a.isError()) {
                c.send(Replies.error(a.callId(), a.errorCode(), a.errorMessage()));
            } else {
                c.send(Response.newBuilder().setCallId(a.callId()).setKeepAlive(a.reply()).build().toByteArray());
            }
        }
    }

    /**
     * A full proxy's answer to CreateSession: NOT_MASTER naming the cell's master, so the client
     * library creates the session there (it follows the master a NOT_MASTER names, as after a
     * failover); CELL_UNAVAILABLE, retried by the client, while no master is known.
     */
    private byte[] refusal(long callId, int sessions) {
        String message = limit.refusal(advertise, sessions);
        java.util.Optional<String> master = channel.masterAddress();
        Upstream u = upstream.get();
        if (master.isEmpty() || u.masterId() == 0 || u.partitioned()) {
            // in a partitioned cell a location without the map would make the client forget it
            return Replies.error(callId, ErrorCode.CELL_UNAVAILABLE, message);
        }
        return Response.newBuilder().setCallId(callId)
                .setError(io.chubby.protocol.Error.newBuilder().setCode(ErrorCode.NOT_MASTER.wire()).setMessage(message))
                .setMaster(MasterLocation.newBuilder().setCell(u.cell()).setMasterId(u.masterId())
                        .setMasterAddress(master.get()).setEpoch(channel.epoch()).addReplicas(master.get()))
                .build().toByteArray();
    }

    /**
     * What this proxy's acceptor tells its clients when it stops (docs/PROTOCOL.md section 4,
     * "leaving notice"): NOT_MASTER with no master named, so each client takes its next calls to
     * the next address it was given (another proxy, or the cell) and closes this connection once
     * the calls it sent here are answered: a write forwarded upstream is never cut off. The
     * session goes on there, as when a proxy dies (README "Kill -9 of a proxy").
     */
    @Override
    public byte[] leavingNotice() {
        Upstream u = upstream.get();
        return LeavingNotice.of("proxy " + advertise + " is leaving: ask the next address",
                MasterLocation.newBuilder().setCell(u.cell()).setMasterId(0).setEpoch(channel.epoch()).build())
                .toByteArray();
    }

    /**
     * This proxy is the master as far as its clients are concerned: they keep talking to proxies.
     * Without an upstream master (id 0) the client tries the next address it was given.
     */
    private MasterLocation location() {
        Upstream u = upstream.get();
        if (u.partitioned()) {
            return ProxiedMap.of(u.location(), advertise);
        }
        return MasterLocation.newBuilder().setCell(u.cell()).setMasterId(channel.masterAddress().isPresent()
                ? u.masterId() : 0).setMasterAddress(advertise).setEpoch(channel.epoch()).addReplicas(advertise).build();
    }

    StatusReply status() {
        Upstream u = upstream.get();
        return StatusReply.newBuilder().setReplicaId(0).setRole("proxy").setMasterId(u.masterId())
                .setEpoch(channel.epoch()).setSessions(table.size() + keepers.clientSessions()).setAddress(advertise)
                .setPid(ProcessHandle.current().pid())
                .putMetrics("clients", String.valueOf(connections.get()))
                .putMetrics("client_sessions", String.valueOf(table.clientSessions() + keepers.clientSessions()))
                .putMetrics("held_keepalives", String.valueOf(table.held() + keepers.held()))
                .putMetrics("group_calls", String.valueOf(keeper.calls() + keepers.groupCalls()))
                .putMetrics("partition_keepalives", String.valueOf(keepers.partitions()))
                .putMetrics("group_parts", String.valueOf(keeper.parts()))
                .putMetrics("max_sessions", String.valueOf(limit.max()))
                .putMetrics("sessions_refused", String.valueOf(sessionsRefused.get()))
                .putMetrics("upstream_master", channel.masterAddress().orElse("none"))
                .putMetrics("upstream_cell", u.cell())
                .putMetrics("upstream_partitions", String.valueOf(u.partitions()))
                .putMetrics("partition_calls", router.perPartition())
                .putMetrics("wrong_partition", String.valueOf(router.wrongPartitions()))
                .putMetrics("cache_entries", String.valueOf(cache.size()))
                .putMetrics("cache_bytes", String.valueOf(cache.bytes()))
                .putMetrics("cache_max_bytes", String.valueOf(cache.maxBytes()))
                .putMetrics("cache_evictions", String.valueOf(cache.evictions()))
                .putMetrics("cache_hits", String.valueOf(cache.hits()))
                .putMetrics("cache_misses", String.valueOf(cache.misses()))
                .putMetrics("reads_passed", String.valueOf(readsPassed.get()))
                .putMetrics("absence_entries", String.valueOf(cache.absentSize()))
                .putMetrics("absence_hits", String.valueOf(absence.hits()))
                .putMetrics("absence_fills", String.valueOf(absence.fills()))
                .putMetrics("opens_passed", String.valueOf(opensPassed.get()))
                .putMetrics("principals_carried", String.valueOf(principals.carried()))
                .putMetrics("read_grants", String.valueOf(grants.size()))
                .putMetrics("acl_view", !principals.carrying() ? "off" : grants.aclKnown() ? "known" : "unknown")
                .putMetrics("bundle_version", version)
                .build();
    }
}
