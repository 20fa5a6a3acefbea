package io.chubby.proxy.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.MasterChannel;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.MasterLocationRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.proxy.internal.core.LeaseMath;
import io.chubby.proxy.internal.core.ProxyCache;
import io.chubby.proxy.internal.core.ReadGrants;
import io.chubby.proxy.internal.core.SessionLimit;
import io.chubby.proxy.internal.core.SessionTable;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.RequestHandler;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxy, plain Java (the OSGi component and the tests run it the same way): the raw channel
 * to the cell, the session table, the group keeper and the timer thread ({@code chubby-proxy-timer}:
 * due client KeepAlives, coalesced group calls, refreshing what the proxy knows of the master).
 * {@link #start()} completes with the request handler once the cell has answered a MasterLocation
 * (clients are greeted with its cell name), so a transport can serve it from then on.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);
    private static final long LOCATION_REFRESH_MS = 5_000;
    /** The longest a clean stop waits for its registration file to be deleted. */
    private static final Duration WITHDRAW_WAIT = Duration.ofSeconds(3);

    /**
     * @param cell        the cell's replicas ({@code host:port,...} or {@code dns:...})
     * @param advertise   {@code host:port} clients dial to reach this proxy
     * @param callTimeout upstream timeout of a pass-through call
     * @param maxLease    the longest lease the cell may grant (a write may be held that long)
     * @param marginMillis a held client KeepAlive is due this long before its promised lease ends
     * @param tickMillis  the timer's period
     * @param upstreamTls how the proxy reaches the cell (plaintext, or TLS with its own certificate)
     * @param aclRefreshMillis period of the ACL directory listing that revokes cached-read grants
     * @param limits      how many client sessions and cache bytes the proxy takes on
     */
    public record Settings(String cell, String advertise, Duration callTimeout, Duration maxLease, long marginMillis,
                           long tickMillis, UpstreamTls upstreamTls, long aclRefreshMillis, Limits limits) {
        public Settings(String cell, String advertise, Duration callTimeout, Duration maxLease, long marginMillis,
                        long tickMillis, UpstreamTls upstreamTls, long aclRefreshMillis) {
            this(cell, advertise, callTimeout, maxLease, marginMillis, tickMillis, upstreamTls, aclRefreshMillis,
                    Limits.FROM_HEAP);
        }

        /** A plaintext upstream. */
        public Settings(String cell, String advertise, Duration callTimeout, Duration maxLease, long marginMillis,
                        long tickMillis) {
            this(cell, advertise, callTimeout, maxLease, marginMillis, tickMillis, UpstreamTls.PLAINTEXT,
                    DEFAULT_ACL_REFRESH_MS);
        }
    }

    /**
     * How much a proxy takes on, each 0 for "from the maximum heap": client sessions
     * ({@code proxy.max.sessions}, {@link SessionLimit}) and the bytes of its read cache
     * ({@code proxy.cache.max.bytes}: an eighth of the heap, 32 MiB at the default -Xmx256m).
     */
    public record Limits(long maxSessions, long cacheMaxBytes) {
        public static final Limits FROM_HEAP = new Limits(0, 0);

        public Limits {
            if (maxSessions < 0 || cacheMaxBytes < 0) {
                throw new IllegalArgumentException("proxy limits must be >= 0 (0: from the heap), were maxSessions="
                        + maxSessions + " cacheMaxBytes=" + cacheMaxBytes);
            }
        }

        /** The cache's bound for a JVM whose maximum heap is {@code maxHeapBytes}. */
        public long cacheBytes(long maxHeapBytes) {
            return cacheMaxBytes > 0 ? cacheMaxBytes : Math.max(1L << 20, maxHeapBytes / 8);
        }
    }

    /** Default of {@code proxy.acl.refresh.ms}. */
    static final long DEFAULT_ACL_REFRESH_MS = 5_000;
    /** The most cached-read grants kept (principal x node) before all are dropped. */
    private static final int MAX_READ_GRANTS = 100_000;

    private final Settings settings;
    private final Clock clock;
    private final MasterChannel channel;
    private final SessionTable<ClientConnection> table;
    private final ScheduledExecutorService timer;
    private final GroupKeeper keeper;
    private final PartitionKeepers keepers;
    private final ProxyHandler handler;
    private final Registration registration;
    private final AclWatch aclWatch;
    private final CompletableFuture<RequestHandler> started = new CompletableFuture<>();
    private volatile ProxyHandler.Upstream upstream = ProxyHandler.Upstream.UNKNOWN;
    private volatile boolean closed;
    private volatile boolean creatingOwn;

    public ProxyServer(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.channel = ChubbyClient.openChannel(ClientOptions.builder().cell(settings.cell())
                .clientName("proxy " + settings.advertise()).callTimeout(settings.callTimeout())
                .security(settings.upstreamTls().security()).build());
        Principals principals = new Principals(settings.upstreamTls().carryPrincipals());
        ReadGrants grants = new ReadGrants(MAX_READ_GRANTS);
        this.table = new SessionTable<>(LeaseMath.withMargin(settings.marginMillis()));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chubby-proxy-timer");
            t.setDaemon(true);
            return t;
        });
        long groupId = new SecureRandom().nextLong() | 1;
        this.keeper = new GroupKeeper(channel, table, clock, timer, this::answer,
                settings.callTimeout(), settings.maxLease(), groupId, principals);
        this.keepers = new PartitionKeepers(p -> {
            SessionTable<ClientConnection> t = new SessionTable<>(LeaseMath.withMargin(settings.marginMillis()));
            return new PartitionKeepers.Keeping(t, new GroupKeeper(channel, t, clock, timer, handler()::send,
                    settings.callTimeout(), settings.maxLease(), groupId, principals, p));
        });
        String version = version();
        this.handler = new ProxyHandler(channel, table, keeper, keepers, clock, settings.advertise(), settings.callTimeout(),
                settings.maxLease(), () -> upstream, new ProxyCache(ProxyCache.DEFAULT_ABSENT_LIMIT,
                settings.limits().cacheBytes(Runtime.getRuntime().maxMemory())), principals, grants, version);
        handler.limit(SessionLimit.of(settings.limits().maxSessions(), Runtime.getRuntime().maxMemory()));
        this.aclWatch = principals.carrying() ? new AclWatch(channel, grants, table::ownSession,
                () -> upstream.cell(), settings.callTimeout()) : null;
        this.registration = new Registration(channel, timer, settings.advertise(), settings.callTimeout(),
                version, clock.instant());
    }

    /**
     * The bundle's version in OSGi, else the jar's, else "unknown" (plain Java without the OSGi
     * framework classes on the class path, as an embedding or a test may run it).
     */
    private static String version() {
        String v = null;
        try {
            org.osgi.framework.Bundle b = org.osgi.framework.FrameworkUtil.getBundle(ProxyServer.class);
            v = b != null ? b.getVersion().toString() : null;
        } catch (LinkageError noFramework) {
            // not in OSGi
        }
        if (v == null) {
            v = ProxyServer.class.getPackage().getImplementationVersion();
        }
        return v != null ? v : "unknown";
    }

    /** Asks the cell where its master is (again until it answers); completes with the handler to serve. */
    public CompletableFuture<RequestHandler> start() {
        locate();
        timer.scheduleWithFixedDelay(this::tick, settings.tickMillis(), settings.tickMillis(), TimeUnit.MILLISECONDS);
        if (aclWatch != null) {
            timer.scheduleWithFixedDelay(this::pollAcls, 0, settings.aclRefreshMillis(), TimeUnit.MILLISECONDS);
        }
        return started;
    }

    /** The handler (created after the keepers, whose answers it sends). */
    private ProxyHandler handler() {
        return handler;
    }

    /** Whether the proxy's registration file is held now (tests). */
    boolean registered() {
        return registration.registered();
    }

    /** The proxy's Status answer (for tests and the component's log). */
    public io.chubby.protocol.StatusReply status() {
        return handler.status();
    }

    private void answer(java.util.List<SessionTable.Answer<ClientConnection>> answers) {
        handler.send(answers);
        handler.settle();
    }

    private void tick() {
        try {
            long now = clock.millis();
            handler.send(table.tick(now));
            handler.settle();
            for (PartitionKeepers.Keeping k : keepers.all()) {
                handler.send(k.table().tick(now));
            }
        } catch (RuntimeException e) {
            LOG.error("proxy timer step failed", e);
        }
    }

    private void pollAcls() {
        try {
            aclWatch.poll();
        } catch (RuntimeException e) {
            LOG.error("ACL directory poll failed", e);
        }
    }

    private void locate() {
        if (closed) {
            return;
        }
        byte[] req = Request.newBuilder().setMasterLocation(MasterLocationRequest.getDefaultInstance()).build()
                .toByteArray();
        channel.call(req, MasterChannel.Retry.IDEMPOTENT).whenComplete((bytes, err) -> {
            long next = LOCATION_REFRESH_MS;
            MasterLocation m = null;
            if (err == null) {
                try {
                    Response r = Response.parseFrom(bytes);
                    m = r.hasMasterLocation() && r.getMasterLocation().getMasterId() != 0 ? r.getMasterLocation() : null;
                } catch (InvalidProtocolBufferException e) {
                    LOG.warn("undecodable MasterLocation answer: {}", e.getMessage());
                }
            }
            if (m != null) {
                ProxyHandler.Upstream was = upstream;
                upstream = new ProxyHandler.Upstream(m);
                if (upstream.partitioned()) {
                    if (!was.partitioned()) {
                        LOG.info("cell {} is partitioned {} ways: calls pass on to their partition's master, "
                                + "sessions renewed by a group KeepAlive per partition; no cache, no registration "
                                + "(README \"Partitioned cells\")", m.getCell(), upstream.partitions());
                    }
                } else if (!table.ownPresent()) {
                    createOwnSession(); // not in a partitioned cell: its cache and registration serve N = 1 only
                }
                if (started.complete(handler)) {
                    LOG.info("proxy ready advertise={} cell={} master={} epoch={}", settings.advertise(), m.getCell(),
                            m.getMasterAddress(), m.getEpoch());
                }
            } else {
                next = started.isDone() ? LOCATION_REFRESH_MS : 1_000;
                if (!started.isDone()) {
                    LOG.info("waiting for the cell {}: {}", settings.cell(), err != null ? err.getMessage() : "no master");
                }
            }
            if (!closed) {
                try {
                    timer.schedule(this::locate, next, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // closed meanwhile
                }
            }
        });
    }

    /**
     * The proxy's own upstream session, for its cache reads (a member of its group; the master may
     * end it, e.g. after a pause: then a new one is made on the next location refresh).
     */
    private void createOwnSession() {
        if (creatingOwn) {
            return;
        }
        creatingOwn = true;
        long sentAt = clock.millis();
        byte[] req = Request.newBuilder().setCreateSession(CreateSessionRequest.newBuilder()
                .setClientName("proxy cache " + settings.advertise())).build().toByteArray();
        channel.call(req, MasterChannel.Retry.IDEMPOTENT).whenComplete((bytes, err) -> {
            try {
                Response r = err == null ? Response.parseFrom(bytes) : null;
                if (r != null && r.hasCreateSession()) {
                    handler.ownRenewed();
                    table.own(r.getCreateSession().getSessionId(), r.getCreateSession().getLeaseMs(), sentAt,
                            clock.millis());
                    keeper.poke();
                    LOG.info("proxy cache session={}", r.getCreateSession().getSessionId());
                    registration.register(r.getCreateSession().getSessionId(), upstream.cell());
                }
            } catch (InvalidProtocolBufferException e) {
                LOG.warn("undecodable CreateSession answer: {}", e.getMessage());
            } finally {
                creatingOwn = false;
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        registration.withdraw(settings.callTimeout().compareTo(WITHDRAW_WAIT) < 0 ? settings.callTimeout() : WITHDRAW_WAIT);
        keeper.close();
        keepers.close();
        timer.shutdownNow();
        channel.close();
        started.cancel(false);
    }
}
