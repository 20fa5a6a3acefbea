package io.chubby.transport.internal;

import io.chubby.client.internal.tls.TlsFilter;
import io.chubby.protocol.Frames;
import io.chubby.spi.Authenticator;
import io.chubby.spi.Member;
import io.chubby.spi.ReplicaConfig;
import io.chubby.spi.ReplicaIdentity;
import io.chubby.spi.RequestHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import org.apache.mina.filter.codec.ProtocolCodecFilter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts client connections and hands their requests to the {@link RequestHandler}. It needs
 * nothing else of a replica: no peer transport, no consensus, not even an identity, so a process
 * that is not a replica (a proxy) can run one in front of its own handler.
 *
 * <p>Under OSGi an immediate component configured from PID
 * {@value ReplicaConfig#CLIENT_TRANSPORT_PID} (every key has a default). It serves the
 * {@code RequestHandler} service its {@code handler.target} filter selects, and listens on
 * {@code transport.client.host:transport.client.port} when a port is configured, else on this
 * replica's {@code host:clientPort} from the {@link ReplicaIdentity} when there is one, else
 * nowhere (idle, one INFO line). Elsewhere construct it with {@link ClientSettings} and call
 * {@link #start()} / {@link #stop()}. Start and stop are called by one thread (SCR's or the test's).
 */
@Designate(ocd = ClientAcceptor.Config.class)
@Component(configurationPid = ReplicaConfig.CLIENT_TRANSPORT_PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = {}, immediate = true)
public final class ClientAcceptor {
    private static final Logger log = LoggerFactory.getLogger(ClientAcceptor.class);

    @ObjectClassDefinition(id = ReplicaConfig.CLIENT_TRANSPORT_PID, name = "Chubby client acceptor",
            description = "The client protocol's TCP listener (MINA) in front of a RequestHandler service")
    public @interface Config {
        @AttributeDefinition(name = "Host", description = "Address to listen on with transport.client.port")
        String transport_client_host() default "127.0.0.1";

        @AttributeDefinition(name = "Port", description = "Port to listen on; 0: this replica's client port from "
                + "its identity (PID io.chubby.replica), or idle in a process without one", min = "0", max = "65535")
        int transport_client_port() default 0;

        @AttributeDefinition(name = "Max frame bytes", description = "Largest client message accepted; a larger "
                + "frame closes the connection", min = "64")
        int transport_client_max_frame_bytes() default Frames.DEFAULT_MAX_MESSAGE;

        @AttributeDefinition(name = "Max queued bytes", description = "Bytes of responses queued for a client that "
                + "does not read, beyond which the connection is closed", min = "1")
        long transport_client_max_queued_bytes() default ClientSettings.DEFAULT_MAX_QUEUED_BYTES;

        @AttributeDefinition(name = "I/O threads", description = "MINA I/O processor threads", min = "1")
        int transport_client_io_threads() default ClientSettings.DEFAULT_IO_THREADS;

        @AttributeDefinition(name = "Handshake timeout (s)", description = "A connection without a Hello after this "
                + "many seconds is closed", min = "1")
        int transport_client_handshake_timeout_s() default ClientSettings.DEFAULT_HANDSHAKE_TIMEOUT_S;

        @AttributeDefinition(name = "TLS", description = "TLS 1.3 on the client port (MINA SslFilter); plaintext "
                + "clients are then refused at the handshake")
        boolean transport_client_tls_enabled() default false;

        @AttributeDefinition(name = "TLS certificate", description = "This replica's certificate: a PEM chain (leaf "
                + "first), or a PKCS#12 file ending .p12/.pfx holding the key too", required = false)
        String transport_client_tls_cert() default "";

        @AttributeDefinition(name = "TLS key", description = "PEM PKCS#8 private key of the certificate (unused for "
                + "PKCS#12)", required = false)
        String transport_client_tls_key() default "";

        @AttributeDefinition(name = "TLS CA", description = "PEM CA certificates that clients' certificates must "
                + "chain to", required = false)
        String transport_client_tls_ca() default "";

        @AttributeDefinition(name = "TLS password", description = "Password of the PKCS#12 file or the encrypted "
                + "key (optional)", required = false, type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
        String transport_client_tls_password() default "";

        @AttributeDefinition(name = "TLS client certificates", description = "want: asked for, optional (password "
                + "and anonymous logins exist); need: required; none: not asked for. A certificate that is sent "
                + "must chain to the CA; its subject CN becomes the connection's principal",
                options = {@org.osgi.service.metatype.annotations.Option(label = "want", value = "want"),
                        @org.osgi.service.metatype.annotations.Option(label = "need", value = "need"),
                        @org.osgi.service.metatype.annotations.Option(label = "none", value = "none")})
        String transport_client_tls_client_auth() default "want";

        @AttributeDefinition(name = "Passwords without TLS", description = "Accept a Hello with a password on a "
                + "connection without TLS (false: refused with PERMISSION_DENIED)")
        boolean transport_client_password_plaintext() default false;

        @AttributeDefinition(name = "Drain (ms)", description = "At a stop (a planned restart, a transport "
                + "update): the acceptor stops accepting, tells every client that this replica is leaving and "
                + "where the master is, answers what they still send, and closes the connections the clients "
                + "have not closed themselves after at most this long; 0: close at once", min = "0")
        long transport_client_drain_ms() default ClientSettings.DEFAULT_DRAIN_MS;
    }

    private final ClientSettings settings;
    private final RequestHandler handler;
    /** The password checker (the acl bundle's); null while none is bound. Written by SCR's thread. */
    private volatile Authenticator authenticator;
    private IoThreads threads;
    private NioSocketAcceptor acceptor;
    private ClientProtocolHandler protocol;

    @Activate
    public ClientAcceptor(Config config, @Reference(name = "handler") RequestHandler handler,
                          @Reference(name = "identity", cardinality = ReferenceCardinality.OPTIONAL,
                                  policyOption = ReferencePolicyOption.GREEDY) ReplicaIdentity identity) {
        this(ClientSettings.from(config, bindAddress(config, identity)), handler);
        start();
    }

    public ClientAcceptor(ClientSettings settings, RequestHandler handler) {
        this.settings = settings;
        this.handler = handler;
    }

    /** DS: an authenticator appeared (greedy: a better-ranked one replaces the current). */
    @Reference(name = "authenticator", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindAuthenticator")
    public void bindAuthenticator(Authenticator a) {
        this.authenticator = a;
    }

    /** DS binds a replacement before it unbinds the old one: clear only if it is still ours. */
    public void unbindAuthenticator(Authenticator a) {
        if (authenticator == a) {
            authenticator = null;
        }
    }

    /** Sets (or clears, with null) the password checker outside OSGi. */
    public void setAuthenticator(Authenticator a) {
        this.authenticator = a;
    }

    /**
     * Where the component listens: its own port when one is configured, else the identity's
     * client address, else null (idle). {@code identity} may be null.
     */
    static InetSocketAddress bindAddress(Config c, ReplicaIdentity identity) {
        int port = c.transport_client_port();
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("transport.client.port must be 0..65535, was " + port);
        }
        if (port != 0) {
            return new InetSocketAddress(c.transport_client_host(), port);
        }
        if (identity != null) {
            Member self = identity.self();
            return new InetSocketAddress(self.host(), self.clientPort());
        }
        return null;
    }

    /**
     * Binds the listening socket; throws {@link UncheckedIOException} if the address is taken.
     * Without an address (see {@link ClientSettings#bind()}) it logs why and stays idle.
     */
    public synchronized void start() {
        if (acceptor != null) {
            throw new IllegalStateException("already started");
        }
        if (settings.bind() == null) {
            log.info("client acceptor idle, no socket: neither transport.client.port (PID {}) nor a replica "
                    + "identity (PID {}) is configured", ReplicaConfig.CLIENT_TRANSPORT_PID, ReplicaConfig.PID);
            return;
        }
        IoThreads t = new IoThreads("chubby-client-io", settings.ioThreads());
        NioSocketAcceptor a = new NioSocketAcceptor(t.executor(), t.processors());
        a.setReuseAddress(true);
        a.setCloseOnDeactivation(false); // stop() drains the connections, then closes them itself
        a.getSessionConfig().setTcpNoDelay(true);
        a.getSessionConfig().setReuseAddress(true);
        if (settings.tls().enabled()) {
            TlsSettings.ClientAuth auth = settings.tls().clientAuth();
            a.getFilterChain().addLast("tls", TlsFilter.server(settings.tls().context(),
                    auth == TlsSettings.ClientAuth.NEED, auth == TlsSettings.ClientAuth.WANT));
        }
        a.getFilterChain().addLast("frames", new ProtocolCodecFilter(new FrameCodec("client", settings.maxFrameBytes(), true)));
        ClientProtocolHandler p = new ClientProtocolHandler(settings, handler, () -> authenticator);
        a.setHandler(p);
        try {
            a.bind(settings.bind());
        } catch (IOException e) {
            a.dispose(true);
            t.dispose();
            // DS reports activation failures to the OSGi log only: say it where operators look
            log.error("cannot listen for clients address={} cause={}", settings.bind(), e.toString());
            throw new UncheckedIOException("cannot listen for clients on " + settings.bind(), e);
        }
        threads = t;
        acceptor = a;
        protocol = p;
        log.info("client acceptor listening address={} maxFrameBytes={} tls={}", localAddress(), settings.maxFrameBytes(),
                settings.tls().enabled() ? "on, client certificates " + settings.tls().clientAuth().name()
                        .toLowerCase(java.util.Locale.ROOT) : "off");
    }

    /** Whether a socket is bound (false before {@link #start()}, after {@link #stop()}, and while idle). */
    public synchronized boolean listening() {
        return acceptor != null;
    }

    /** The bound address (useful when binding to port 0). */
    public synchronized InetSocketAddress localAddress() {
        if (acceptor == null) {
            throw new IllegalStateException("not listening");
        }
        return acceptor.getLocalAddress();
    }

    /**
     * Closes the listening socket, drains ({@link #drain}) and closes every client connection.
     */
    @Deactivate
    public synchronized void stop() {
        if (acceptor == null) {
            return;
        }
        InetSocketAddress address = acceptor.getLocalAddress();
        acceptor.unbind();
        drain(address);
        for (IoSession s : acceptor.getManagedSessions().values()) {
            s.closeNow();
        }
        acceptor.dispose(true);
        threads.dispose();
        acceptor = null;
        threads = null;
        protocol = null;
        log.info("client acceptor stopped address={}", address);
    }

    /**
     * A stop that loses no answer: with nothing listening any more, sends the handler's
     * {@link RequestHandler#leavingNotice} on every connection (and on any that finishes its Hello
     * from now on), then waits, at most {@link ClientSettings#drainMillis}, until the clients
     * have closed their connections. Meanwhile their requests still reach the handler and are
     * answered (a replica that handed its mastership over answers NOT_MASTER). A client closes
     * once its calls on the connection are answered, so none is cut off after it was sent; only a
     * client that ignores the notice is closed on at the end of the period.
     */
    private void drain(InetSocketAddress address) {
        if (settings.drainMillis() <= 0) {
            return;
        }
        byte[] notice;
        try {
            notice = handler.leavingNotice();
        } catch (RuntimeException e) {
            log.warn("request handler failed to give a leaving notice, closing client connections at once", e);
            return;
        }
        if (notice == null) {
            return;
        }
        long start = System.nanoTime();
        int told = protocol.leave(notice, acceptor.getManagedSessions().values());
        long deadline = start + settings.drainMillis() * 1_000_000L;
        while (acceptor.getManagedSessionCount() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        log.info("client connections drained address={} told={} stillOpen={} tookMs={}", address, told,
                acceptor.getManagedSessionCount(), (System.nanoTime() - start) / 1_000_000);
    }
}
