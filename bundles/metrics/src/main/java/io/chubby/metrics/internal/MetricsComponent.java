package io.chubby.metrics.internal;

import io.chubby.spi.CellMetrics;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.MetricSource;
import io.chubby.spi.ReplicaConfig;
import jakarta.servlet.Servlet;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.FieldOption;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metrics and health of one replica over HTTP: registers a {@link MetricsServlet} on the OSGi HTTP
 * Whiteboard (Felix HTTP Jetty serves it on its port, PID {@code org.apache.felix.http}) for
 * {@code /metrics}, {@code /health/live} and {@code /health/ready}. Reads {@link Consensus} and
 * {@link CellMetrics}, both optional and dynamic: without them the endpoints answer what is missing
 * (503) instead of disappearing; and every {@link MetricSource} (dynamic, multiple: a bundle's series
 * appear with its service and go with it). Configured from PID {@value #PID}; every key has a default.
 */
@Component(service = {}, immediate = true, configurationPid = MetricsComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = MetricsComponent.Config.class)
public final class MetricsComponent {
    static final String PID = ReplicaConfig.METRICS_PID;
    static final String PATTERN = "osgi.http.whiteboard.servlet.pattern";
    static final String NAME = "osgi.http.whiteboard.servlet.name";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsComponent.class);

    @ObjectClassDefinition(id = PID, name = "Chubby metrics and health",
            description = "/metrics (Prometheus text format), /health/live and /health/ready on the HTTP "
                    + "Whiteboard; the port is Felix HTTP Jetty's (PID org.apache.felix.http, key "
                    + "org.osgi.service.http.port; 'chubby cell up' writes base port + 200 + replica id)")
    public @interface Config {
        @AttributeDefinition(description = "Serve the endpoints (false: register nothing)")
        boolean metrics_enabled() default true;

        @AttributeDefinition(description = "Chosen log entries a replica may still have to apply and "
                + "be ready")
        long metrics_ready_max_lag() default 100;

        @AttributeDefinition(description = "Add the JVM metrics (memory, GC, threads, classes)")
        boolean metrics_jvm() default true;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Consensus consensus;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile CellMetrics cell;
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            fieldOption = FieldOption.UPDATE)
    private final List<MetricSource> sources = new CopyOnWriteArrayList<>();
    private final ServiceRegistration<Servlet> registration;
    private final Scraper scraper;

    @Activate
    public MetricsComponent(BundleContext context, Config config) {
        if (!config.metrics_enabled()) {
            registration = null;
            scraper = null;
            LOG.info("metrics disabled ({}: metrics.enabled=false)", PID);
            return;
        }
        scraper = new Scraper(this::consensusStatus, this::cellNumbers, () -> sources,
                config.metrics_jvm());
        Endpoints endpoints = new Endpoints(scraper::scrape, this::consensusStatus, () -> cell != null,
                config.metrics_ready_max_lag());
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(PATTERN, new String[] {Endpoints.METRICS, "/health/*"});
        props.put(NAME, "chubby-metrics");
        registration = context.registerService(Servlet.class, new MetricsServlet(endpoints), props);
        LOG.info("metrics servlet registered on the HTTP whiteboard: {} {} {}",
                Endpoints.METRICS, Endpoints.LIVE, Endpoints.READY);
    }

    private ConsensusStatus consensusStatus() {
        Consensus c = consensus;
        return c == null ? null : c.status();
    }

    private Map<String, Number> cellNumbers() {
        CellMetrics m = cell;
        return m == null ? Map.of() : m.snapshot();
    }

    @Deactivate
    public void deactivate() {
        if (registration != null) {
            registration.unregister();
        }
        if (scraper != null) {
            scraper.close();
        }
    }
}
