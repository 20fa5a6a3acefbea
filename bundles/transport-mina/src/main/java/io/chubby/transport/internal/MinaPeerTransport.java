package io.chubby.transport.internal;

import io.chubby.client.internal.tls.TlsFilter;
import io.chubby.spi.Member;
import io.chubby.spi.MetricSource;
import io.chubby.spi.PeerTransport;
import io.chubby.spi.ReplicaConfig;
import io.chubby.spi.ReplicaIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.mina.filter.codec.ProtocolCodecFilter;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.apache.mina.transport.socket.nio.NioSocketConnector;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PeerTransport} over MINA TCP: an acceptor on this replica's {@code host:peerPort} for the
 * messages of the other members, and one self-healing outbound {@link PeerLink} per other member.
 * Messages to this replica itself are handed to the handler on a separate single thread, in order,
 * never on the caller's stack (so the consensus loop can send to itself without re-entering).
 *
 * <p>Under OSGi an immediate component tuned by PID {@value ReplicaConfig#PEER_TRANSPORT_PID} (every
 * key has a default) with the id, cell and members of the {@link ReplicaIdentity}; elsewhere
 * construct with {@link PeerSettings} and call {@link #start()} / {@link #stop()} (one-shot: to
 * restart, build a new instance). Start and stop run on one thread; {@link #send} and
 * {@link #setHandler} may be called from any thread.
 */
@Component(service = {PeerTransport.class, MetricSource.class}, configurationPid = ReplicaConfig.PEER_TRANSPORT_PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = MinaPeerTransport.Config.class)
public final class MinaPeerTransport implements PeerTransport, MetricSource {
    private static final Logger log = LoggerFactory.getLogger(MinaPeerTransport.class);

    @ObjectClassDefinition(id = ReplicaConfig.PEER_TRANSPORT_PID, name = "Chubby peer transport",
            description = "Replica-to-replica links (MINA) for consensus; who the replica is and where its peers "
                    + "are: the replica identity, PID io.chubby.replica")
    public @interface Config {
        @AttributeDefinition(name = "Max frame bytes", description = "Largest peer message sent or accepted",
                min = "64")
        int transport_peer_max_frame_bytes() default PeerSettings.DEFAULT_MAX_FRAME_BYTES;

        @AttributeDefinition(name = "Max queued bytes", description = "Messages to a peer are dropped while more "
                + "than this many bytes are waiting to be written to it", min = "1")
        long transport_peer_max_queued_bytes() default PeerSettings.DEFAULT_MAX_QUEUED_BYTES;

        @AttributeDefinition(name = "I/O threads", description = "MINA I/O processor threads", min = "1")
        int transport_peer_io_threads() default PeerSettings.DEFAULT_IO_THREADS;

        @AttributeDefinition(name = "Handshake timeout (s)", description = "An inbound connection without a peer "
                + "handshake after this many seconds is closed", min = "1")
        int transport_peer_handshake_timeout_s() default PeerSettings.DEFAULT_HANDSHAKE_TIMEOUT_S;

        @AttributeDefinition(name = "Reconnect backoff min (ms)", min = "1")
        int transport_peer_backoff_min_ms() default PeerSettings.DEFAULT_BACKOFF_MIN_MS;

        @AttributeDefinition(name = "Reconnect backoff max (ms)", min = "1")
        int transport_peer_backoff_max_ms() default PeerSettings.DEFAULT_BACKOFF_MAX_MS;

        @AttributeDefinition(name = "TLS", description = "Mutual TLS 1.3 on every peer link: a process whose "
                + "certificate does not chain to the CA, or does not name the host of the member it claims to be, "
                + "is refused")
        boolean transport_peer_tls_enabled() default false;

        @AttributeDefinition(name = "TLS certificate", description = "This replica's certificate (PEM chain, or "
                + "PKCS#12 .p12/.pfx), presented on both ends of its links; its SANs must name its member host",
                required = false)
        String transport_peer_tls_cert() default "";

        @AttributeDefinition(name = "TLS key", description = "PEM PKCS#8 private key (unused for PKCS#12)",
                required = false)
        String transport_peer_tls_key() default "";

        @AttributeDefinition(name = "TLS CA", description = "PEM CA certificates the other replicas' certificates "
                + "must chain to", required = false)
        String transport_peer_tls_ca() default "";

        @AttributeDefinition(name = "TLS password", description = "Password of the PKCS#12 file or the encrypted "
                + "key (optional)", required = false, type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
        String transport_peer_tls_password() default "";
    }

    private final PeerSettings settings;
    private final PeerIdentity identity;
    private final Map<Integer, PeerLink> links = new ConcurrentHashMap<>(); // send() reads it unlocked
    /** Who may connect, by id: the identity's members until {@link #linkPeers} says otherwise. */
    private volatile Map<Integer, Member> known;
    private PeerAcceptorHandler inbound;
    private volatile PeerHandler handler;
    private final AtomicLong unhandled = new AtomicLong();
    private final PeerLinkStats linkStats = new PeerLinkStats();
    private volatile boolean started;
    private IoThreads threads;
    private NioSocketAcceptor acceptor;
    private NioSocketConnector connector;
    private ScheduledExecutorService scheduler;
    private ExecutorService local;

    @Activate
    public MinaPeerTransport(Config config, @Reference(name = "identity") ReplicaIdentity identity) {
        this(PeerSettings.from(config, identity));
        start();
    }

    public MinaPeerTransport(PeerSettings settings) {
        this.settings = settings;
        this.identity = settings.identity();
        this.known = byId(identity.members());
    }

    /** Binds the peer port and starts connecting to the other members. */
    public synchronized void start() {
        if (threads != null) {
            throw new IllegalStateException("a peer transport is started once");
        }
        threads = new IoThreads("chubby-peer-io-" + settings.selfId(), settings.ioThreads());
        scheduler = Executors.newSingleThreadScheduledExecutor(IoThreads.named("chubby-peer-reconnect-"
                + settings.selfId()));
        local = Executors.newSingleThreadExecutor(IoThreads.named("chubby-peer-local-" + settings.selfId()));
        FrameCodec codec = new FrameCodec("peer", settings.maxFrameBytes(), false);

        acceptor = new NioSocketAcceptor(threads.executor(), threads.processors());
        acceptor.setReuseAddress(true);
        acceptor.setCloseOnDeactivation(true);
        acceptor.getSessionConfig().setTcpNoDelay(true);
        if (settings.tls().enabled()) {
            acceptor.getFilterChain().addLast("tls", TlsFilter.server(settings.tls().context(), true, false));
        }
        acceptor.getFilterChain().addLast("frames", new ProtocolCodecFilter(codec));
        inbound = new PeerAcceptorHandler(identity, id -> known.get(id), settings.handshakeTimeoutSeconds(),
                this::deliver, settings.tls().enabled());
        acceptor.setHandler(inbound);
        Member self = identity.self();
        InetSocketAddress bind = new InetSocketAddress(self.host(), self.peerPort());
        try {
            acceptor.bind(bind);
        } catch (IOException e) {
            stop();
            // DS reports activation failures to the OSGi log only: say it where operators look
            log.error("cannot listen for peers address={} cause={}", bind, e.toString());
            throw new UncheckedIOException("cannot listen for peers on " + bind, e);
        }

        connector = new NioSocketConnector(threads.executor(), threads.processors());
        connector.setConnectTimeoutMillis(2000);
        connector.getSessionConfig().setTcpNoDelay(true);
        if (settings.tls().enabled()) {
            // the other replica's certificate must chain to the CA and name the member host we dial
            connector.getFilterChain().addLast("tls", TlsFilter.client(settings.tls().context(), true));
        }
        connector.getFilterChain().addLast("frames", new ProtocolCodecFilter(codec));
        connector.setHandler(new PeerConnectorHandler());
        for (Member m : known.values()) {
            if (m.id() != settings.selfId()) {
                links.put(m.id(), link(m));
            }
        }
        started = true;
        links.values().forEach(PeerLink::start);
        log.info("peer transport listening address={} replica={} cell={} peers={} tls={}", acceptor.getLocalAddress(),
                settings.selfId(), settings.cell(), links.keySet(), settings.tls().enabled() ? "mutual" : "off");
    }

    private PeerLink link(Member m) {
        return new PeerLink(m, settings, connector, scheduler, new Backoff(settings.backoffMinMs(),
                settings.backoffMaxMs(), () -> ThreadLocalRandom.current().nextDouble()));
    }

    /**
     * Links follow the members (issue 19): opens a link to every listed replica without one (or
     * whose address changed), closes the links to replicas not listed, and from now on accepts
     * connections from listed replicas only (this replica is always known to itself).
     */
    @Override
    public synchronized void linkPeers(Collection<Member> peers) {
        Map<Integer, Member> next = byId(peers);
        next.put(settings.selfId(), identity.self());
        known = next;
        if (!started) {
            return;
        }
        inbound.closeUnknown();
        for (Iterator<Map.Entry<Integer, PeerLink>> it = links.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, PeerLink> e = it.next();
            if (!e.getValue().peer().equals(next.get(e.getKey()))) {
                e.getValue().stop();
                it.remove();
                log.info("peer link closed replica={} peer={}", settings.selfId(), e.getKey());
            }
        }
        for (Member m : next.values()) {
            if (m.id() != settings.selfId() && !links.containsKey(m.id())) {
                PeerLink l = link(m);
                links.put(m.id(), l);
                l.start();
                log.info("peer link opened replica={} peer={}", settings.selfId(), m);
            }
        }
    }

    private static Map<Integer, Member> byId(Collection<Member> members) {
        Map<Integer, Member> out = new HashMap<>();
        for (Member m : members) {
            out.put(m.id(), m);
        }
        return out;
    }

    @Override
    public void setHandler(PeerHandler handler) {
        this.handler = handler;
    }

    @Override
    public void send(int to, byte[] message) {
        if (!started) {
            return;
        }
        if (message.length > settings.maxFrameBytes()) {
            // The receiver would close the link on it, losing everything queued behind it.
            log.warn("peer message too large, dropped to={} bytes={} limit={}", to, message.length,
                    settings.maxFrameBytes());
            return;
        }
        if (to == settings.selfId()) {
            try {
                local.execute(() -> deliver(to, message));
            } catch (RejectedExecutionException e) {
                // Stopping: dropping is what a down link does too.
            }
            return;
        }
        PeerLink link = links.get(to);
        if (link == null) {
            log.debug("message to unknown replica dropped to={}", to);
            return;
        }
        link.send(message);
    }

    /** Whether the outbound link to {@code to} is currently connected. */
    public boolean linkUp(int to) {
        PeerLink link = links.get(to);
        return link != null && link.up();
    }

    /** Messages dropped so far because a link was down or backed up (for metrics and tests). */
    public long droppedMessages() {
        return links.values().stream().mapToLong(PeerLink::dropped).sum();
    }

    /** Messages received while no handler was set, and so dropped (for metrics and tests). */
    public long unhandledMessages() {
        return unhandled.get();
    }

    /** The links' series (spi 1.11 {@link MetricSource}): connected or not and last heard, per peer. */
    @Override
    public List<Metric> metrics() {
        Map<Integer, Boolean> up = new TreeMap<>();
        links.forEach((id, link) -> up.put(id, link.up()));
        return linkStats.metrics(up, droppedMessages(), System.nanoTime());
    }

    private void deliver(int from, byte[] message) {
        linkStats.heard(from, System.nanoTime());
        PeerHandler h = handler;
        if (h == null) {
            unhandled.incrementAndGet();
            return; // nobody listening yet: as good as lost, which consensus tolerates
        }
        try {
            h.onMessage(from, message);
        } catch (RuntimeException e) {
            log.warn("peer handler failed from={}", from, e);
        }
    }

    /** Closes every link and the listening socket. */
    @Deactivate
    public synchronized void stop() {
        started = false;
        links.values().forEach(PeerLink::stop);
        if (connector != null) {
            connector.dispose(true);
        }
        if (acceptor != null) {
            acceptor.unbind();
            acceptor.dispose(true);
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (local != null) {
            local.shutdown();
            try {
                local.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (threads != null) {
            threads.dispose();
        }
        log.info("peer transport stopped replica={}", settings.selfId());
    }
}
