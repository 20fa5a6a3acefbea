package io.chubby.transport.internal;

import io.chubby.spi.ReplicaConfig;
import io.chubby.spi.RequestHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import org.apache.mina.filter.codec.ProtocolCodecFilter;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts client connections on this replica's {@code host:clientPort} and hands their requests to
 * the {@link RequestHandler}. Under OSGi it is an immediate component configured from PID
 * {@code io.chubby.replica}; elsewhere construct it with {@link ClientSettings} and call
 * {@link #start()} / {@link #stop()}. Start and stop are called by one thread (SCR's or the test's).
 */
@Designate(ocd = TransportConfig.class)
@Component(configurationPid = ReplicaConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {},
        immediate = true)
public final class ClientAcceptor {
    private static final Logger log = LoggerFactory.getLogger(ClientAcceptor.class);

    private final ClientSettings settings;
    private final RequestHandler handler;
    private IoThreads threads;
    private NioSocketAcceptor acceptor;

    @Activate
    public ClientAcceptor(TransportConfig config, @Reference(name = "handler") RequestHandler handler) {
        this(ClientSettings.from(config), handler);
        start();
    }

    public ClientAcceptor(ClientSettings settings, RequestHandler handler) {
        this.settings = settings;
        this.handler = handler;
    }

    /** Binds the listening socket; throws {@link UncheckedIOException} if the address is taken. */
    public synchronized void start() {
        if (acceptor != null) {
            throw new IllegalStateException("already started");
        }
        IoThreads t = new IoThreads("chubby-client-io", settings.ioThreads());
        NioSocketAcceptor a = new NioSocketAcceptor(t.executor(), t.processors());
        a.setReuseAddress(true);
        a.setCloseOnDeactivation(true);
        a.getSessionConfig().setTcpNoDelay(true);
        a.getSessionConfig().setReuseAddress(true);
        a.getFilterChain().addLast("frames", new ProtocolCodecFilter(new FrameCodec("client", settings.maxFrameBytes())));
        a.setHandler(new ClientProtocolHandler(settings, handler));
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
        log.info("client acceptor listening address={} replica={} cell={} maxFrameBytes={}", localAddress(),
                settings.replicaId(), settings.cell(), settings.maxFrameBytes());
    }

    /** The bound address (useful when binding to port 0). */
    public synchronized InetSocketAddress localAddress() {
        if (acceptor == null) {
            throw new IllegalStateException("not started");
        }
        return acceptor.getLocalAddress();
    }

    /** Closes the listening socket and every client connection. */
    @Deactivate
    public synchronized void stop() {
        if (acceptor == null) {
            return;
        }
        acceptor.unbind();
        acceptor.dispose(true);
        threads.dispose();
        acceptor = null;
        threads = null;
        log.info("client acceptor stopped replica={}", settings.replicaId());
    }
}
