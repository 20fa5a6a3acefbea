package io.chubby.dns.internal;

import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusListener;
import io.chubby.spi.MetricSource;
import io.chubby.spi.NamespaceView;
import io.chubby.spi.PartitionView;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DNS bridge of one replica: a DNS server over UDP and TCP answering for the zone
 * {@code <cell>.<domain>} from this replica's live view of {@link Consensus}. Optional and
 * hot-swappable: it needs a {@code io.chubby.dns} configuration to start (installed but
 * unconfigured it is inert), and removing the bundle stops it without touching the replica.
 */
@Component(service = MetricSource.class, immediate = true, configurationPid = DnsBridge.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = DnsBridge.Config.class)
public final class DnsBridge implements ConsensusListener, MetricSource {
    static final String PID = "io.chubby.dns";
    private static final Logger LOG = LoggerFactory.getLogger(DnsBridge.class);

    @ObjectClassDefinition(name = "Chubby DNS bridge",
            description = "Serves master location over DNS (UDP and TCP).")
    public @interface Config {
        @AttributeDefinition(description = "Cell name: the zone is <cell>.<domain>")
        String dns_cell() default "local";

        @AttributeDefinition(description = "Address to listen on")
        String dns_bind() default "127.0.0.1";

        @AttributeDefinition(description = "UDP and TCP port")
        int dns_port() default 8053;

        @AttributeDefinition(description = "Parent domain of the cell's zone")
        String dns_domain() default "chubby.";

        @AttributeDefinition(description = "TTL of every answer, seconds")
        long dns_ttl_s() default 1;
    }

    private final Consensus consensus;
    /**
     * The replica's applied namespace, for the proxies registered under {@code /ls/<cell>/proxies}.
     * Optional and dynamic: without it (the cell component restarting) the zone lists no proxies and
     * every other record is served as before.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile NamespaceView namespace;
    /**
     * The replica's partition view (N, hash, each open group's master), for the partition names.
     * Optional and dynamic: without it the zone has no {@code partitions} or {@code p<k>} names.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile PartitionView partitions;
    private final DnsServer server;
    private final String cell;
    private final String domain;
    private final long ttl;

    @Activate
    public DnsBridge(@Reference Consensus consensus, Config config) throws IOException {
        this(consensus, config.dns_cell(), config.dns_domain(), config.dns_ttl_s(),
                new InetSocketAddress(config.dns_bind(), config.dns_port()));
    }

    /** Plain-Java constructor (tests, embedding). Starts serving at once. */
    public DnsBridge(Consensus consensus, String cell, String domain, long ttl, InetSocketAddress bind)
            throws IOException {
        this(consensus, null, cell, domain, ttl, bind);
    }

    /** Plain-Java constructor with the namespace the proxies are read from (null: none listed). */
    public DnsBridge(Consensus consensus, NamespaceView namespace, String cell, String domain, long ttl,
                     InetSocketAddress bind) throws IOException {
        this.consensus = consensus;
        this.namespace = namespace;
        this.cell = cell;
        this.domain = domain;
        this.ttl = ttl;
        Supplier<ZoneView> view = this::view;
        this.server = new DnsServer(bind, view);
        consensus.addListener(this);
        LOG.info("dns bridge serving zone={}.{} udp+tcp={}", cell, domain, server.address());
    }

    /** The zone as this replica sees it now. */
    ZoneView view() {
        NamespaceView ns = namespace;
        return new ZoneView(cell, domain, consensus.masterId(), consensus.epoch(), consensus.members(), ttl,
                ns == null ? List::of : () -> ProxyDirectory.read(ns), partitions);
    }

    /** Binds a partition view outside OSGi (tests, embedding); null removes it. */
    void partitions(PartitionView view) {
        this.partitions = view;
    }

    public InetSocketAddress address() {
        return server.address();
    }

    /** The bridge's series while it runs (spi 1.11): {@code chubby_dns_queries{type,rcode}}. */
    @Override
    public List<Metric> metrics() {
        return server.counts().metrics();
    }

    @Override
    public void becameMaster(long epoch) {
    }

    @Override
    public void lostMastership(long epoch) {
    }

    @Override
    public void masterChanged(int masterId, long epoch) {
        LOG.info("dns answers now name master={} epoch={}", masterId, epoch);
    }

    @Deactivate
    public void close() {
        consensus.removeListener(this);
        server.close();
        LOG.info("dns bridge stopped zone={}.{}", cell, domain);
    }
}
