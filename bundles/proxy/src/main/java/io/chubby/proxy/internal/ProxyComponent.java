package io.chubby.proxy.internal;

import io.chubby.spi.MetricSource;
import io.chubby.spi.RequestHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy in a Felix process: optional and inert until PID {@code io.chubby.proxy} is configured.
 * Runs a {@link ProxyServer} and, once the cell has answered, registers its handler as a
 * {@link RequestHandler} with {@code chubby.handler=proxy}, which the transport's client acceptor
 * serves when its {@code handler.target} selects it. Removing the configuration or the bundle
 * unregisters the handler (the acceptor closes its port) and closes the upstream channel.
 */
@Component(service = MetricSource.class, immediate = true, configurationPid = ProxyComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = ProxyComponent.Config.class)
public final class ProxyComponent implements MetricSource {
    static final String PID = "io.chubby.proxy";
    /** The service property and value the proxy's handler is registered with. */
    static final String HANDLER_PROPERTY = "chubby.handler";
    static final String HANDLER_VALUE = "proxy";
    private static final Logger LOG = LoggerFactory.getLogger(ProxyComponent.class);

    @ObjectClassDefinition(id = PID, name = "Chubby proxy",
            description = "Speaks the client protocol to clients and to a cell; absorbs KeepAlives.")
    public @interface Config {
        @AttributeDefinition(description = "The cell upstream: host:port,... of its replicas, or dns:<cell>.chubby@HOST:PORT")
        String proxy_cell();

        @AttributeDefinition(description = "host:port clients dial to reach this proxy (its MasterLocation answer)")
        String proxy_advertise();

        @AttributeDefinition(description = "Upstream timeout of a pass-through call, ms")
        long proxy_call_timeout_ms() default 10_000;

        @AttributeDefinition(description = "The longest lease the cell may grant, ms (a write may be held that long)")
        long proxy_max_lease_ms() default 60_000;

        @AttributeDefinition(description = "A client's held KeepAlive is due this long before its promised lease ends, ms")
        long proxy_keepalive_margin_ms() default 2_000;

        @AttributeDefinition(description = "Period of the proxy's timer, ms")
        long proxy_tick_ms() default 50;

        @AttributeDefinition(description = "PEM CA certificates the cell's replica certificates chain to: TLS "
                + "upstream (empty: plaintext)")
        String proxy_upstream_tls_ca() default "";

        @AttributeDefinition(description = "The proxy's own client certificate upstream (PEM chain, or PKCS#12 "
                + ".p12/.pfx): its CN must be in the cell's cell.proxy.principals; with it the proxy carries its "
                + "clients' principals")
        String proxy_upstream_tls_cert() default "";

        @AttributeDefinition(description = "PEM PKCS#8 private key of proxy.upstream.tls.cert")
        String proxy_upstream_tls_key() default "";

        @AttributeDefinition(description = "Password of the PKCS#12 file or the encrypted key",
                type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
        String proxy_upstream_tls_password() default "";

        @AttributeDefinition(description = "Period of the ACL directory listing that revokes cached-read grants "
                + "after an ACL file changed, ms")
        long proxy_acl_refresh_ms() default ProxyServer.DEFAULT_ACL_REFRESH_MS;

        @AttributeDefinition(description = "Client sessions beyond which CreateSession is refused with "
                + "NOT_MASTER naming the cell's master (the client creates its session there); sessions moving here from another proxy are "
                + "always taken. 0: one per 8 KiB of the proxy's maximum heap (32,768 with -Xmx256m)")
        long proxy_max_sessions() default 0;

        @AttributeDefinition(description = "Bytes the read cache's entries may take (contents, metadata, paths); "
                + "the least recently served go first. 0: an eighth of the proxy's maximum heap (32 MiB with -Xmx256m)")
        long proxy_cache_max_bytes() default 0;
    }

    private final ProxyServer server;
    private volatile ServiceRegistration<RequestHandler> registration;
    private volatile boolean stopped;

    @Activate
    public ProxyComponent(BundleContext context, Config config) {
        if (config.proxy_cell() == null || config.proxy_cell().isBlank()) {
            throw new IllegalArgumentException("PID " + PID + ": proxy.cell is required (host:port,... of the cell)");
        }
        if (config.proxy_advertise() == null || !config.proxy_advertise().contains(":")) {
            throw new IllegalArgumentException("PID " + PID + ": proxy.advertise must be the host:port clients dial, not '"
                    + config.proxy_advertise() + "'");
        }
        if (config.proxy_max_sessions() < 0) {
            throw new IllegalArgumentException("PID " + PID + ": proxy.max.sessions must be >= 0 (0: from the heap), was "
                    + config.proxy_max_sessions());
        }
        if (config.proxy_cache_max_bytes() < 0) {
            throw new IllegalArgumentException("PID " + PID + ": proxy.cache.max.bytes must be >= 0 (0: from the heap), "
                    + "was " + config.proxy_cache_max_bytes());
        }
        if (config.proxy_acl_refresh_ms() < 100) {
            throw new IllegalArgumentException("PID " + PID + ": proxy.acl.refresh.ms must be >= 100, was "
                    + config.proxy_acl_refresh_ms());
        }
        server = new ProxyServer(new ProxyServer.Settings(config.proxy_cell(), config.proxy_advertise(),
                Duration.ofMillis(config.proxy_call_timeout_ms()), Duration.ofMillis(config.proxy_max_lease_ms()),
                config.proxy_keepalive_margin_ms(), config.proxy_tick_ms(), UpstreamTls.of(
                config.proxy_upstream_tls_ca(), config.proxy_upstream_tls_cert(), config.proxy_upstream_tls_key(),
                config.proxy_upstream_tls_password()), config.proxy_acl_refresh_ms(), new ProxyServer.Limits(
                config.proxy_max_sessions(), config.proxy_cache_max_bytes())),
                Clock.systemUTC());
        server.start().thenAccept(handler -> {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(HANDLER_PROPERTY, HANDLER_VALUE);
            synchronized (this) {
                if (!stopped) {
                    registration = context.registerService(RequestHandler.class, handler, props);
                    LOG.info("proxy handler registered ({}={})", HANDLER_PROPERTY, HANDLER_VALUE);
                }
            }
        });
    }

    /** The proxy's series while it runs (spi 1.11): clients, sessions, the read cache's hits and misses. */
    @Override
    public List<Metric> metrics() {
        return ProxySeries.of(server.status());
    }

    @Deactivate
    void stop() {
        synchronized (this) {
            stopped = true;
            if (registration != null) {
                try {
                    registration.unregister();
                } catch (IllegalStateException e) {
                    // the bundle is stopping: already unregistered
                }
                registration = null;
            }
        }
        server.close();
    }
}
