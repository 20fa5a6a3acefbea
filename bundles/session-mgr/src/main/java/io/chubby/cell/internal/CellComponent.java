package io.chubby.cell.internal;

import io.chubby.api.DirEntry;
import io.chubby.api.Stat;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.spi.AdminShell;
import io.chubby.spi.Authorizer;
import io.chubby.spi.CellMetrics;
import io.chubby.spi.ChangeListener;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusGroups;
import io.chubby.spi.NamespaceView;
import io.chubby.spi.Partitioner;
import io.chubby.spi.ReplicaConfig;
import io.chubby.spi.ReplicaIdentity;
import io.chubby.spi.RequestFilter;
import io.chubby.spi.RequestHandler;
import io.chubby.spi.SessionView;
import io.chubby.spi.StateStore;
import io.chubby.spi.StateStores;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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

/**
 * The cell of one replica as an OSGi component: wraps a {@link CellHost} (one {@link CellServer}
 * per open Paxos group: group 0 on the {@link Consensus} and {@link StateStore} services, groups
 * 1..N-1 of a partitioned cell through {@link ConsensusGroups} and {@link StateStores}), provides
 * {@link RequestHandler} (for the client acceptor), {@link NamespaceView} (for plug-ins),
 * {@link CellMetrics} (group 0's Status numbers, for the metrics bundle) and {@link SessionView}
 * (group 0's sessions and locks, read-only, for the console bundle), and
 * binds the plug-in whiteboards dynamically: {@link RequestFilter}s (ordered by service ranking),
 * the {@link Authorizer} (highest ranking decides), {@link ChangeListener}s, and the optional
 * {@link AdminShell}. Binding or unbinding a plug-in changes future calls only; sessions stay.
 * Configured from its own PID {@value ReplicaConfig#CELL_PID} (every key has a default, so no
 * configuration is needed) and the cell name from the {@link ReplicaIdentity}.
 */
@Component(service = {RequestHandler.class, NamespaceView.class, CellMetrics.class, SessionView.class}, configurationPid = ReplicaConfig.CELL_PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = CellComponent.Config.class)
public final class CellComponent implements RequestHandler, NamespaceView, CellMetrics, SessionView {

    @ObjectClassDefinition(id = ReplicaConfig.CELL_PID, name = "Chubby cell (session-mgr)",
            description = "Sessions, KeepAlive, the file and lock calls, the request pipeline and the change feed "
                    + "of one replica")
    public @interface Config {
        @AttributeDefinition(description = "Largest file contents in bytes (larger writes fail TOO_LARGE)")
        int cell_max_content_bytes() default 262_144;

        @AttributeDefinition(description = "Session lease granted by each KeepAlive reply, ms")
        long cell_session_lease_ms() default 12_000;

        @AttributeDefinition(description = "Longest lease a master may grant; a new master extends every "
                + "session to now + this (a client is promised at most the lease ceiling recorded in the log), ms")
        long cell_session_max_lease_ms() default 60_000;

        @AttributeDefinition(description = "A held KeepAlive is answered this long before the lease ends, ms")
        long cell_keepalive_margin_ms() default 1_000;

        @AttributeDefinition(description = "Period of the lease timer, ms")
        long cell_timer_tick_ms() default 100;

        @AttributeDefinition(description = "A session with no handles and no calls for this long is ended, ms "
                + "(0: never)")
        long cell_session_idle_ms() default 60_000;

        @AttributeDefinition(description = "KeepAlive rate the master aims at by lengthening leases under load "
                + "(lease = sessions * 1000 / this, between the lease and the max lease), per second")
        long cell_keepalive_target_per_s() default 1_000;

        @AttributeDefinition(description = "Enforce access control: with no Authorizer deployed, every call that "
                + "needs authorization is refused (fail closed)")
        boolean cell_acl_enforce() default false;

        @AttributeDefinition(description = "Changes queued per change-feed listener; beyond it the listener's "
                + "changes are dropped and reported to it as a gap")
        int cell_feed_queue_changes() default CellSettings.DEFAULT_FEED_QUEUE_CHANGES;

        @AttributeDefinition(description = "Comma-separated TLS certificate CNs of proxies trusted to act on "
                + "behalf of their clients (Request.on_behalf_of); empty: a call naming another principal is "
                + "refused from every connection")
        String cell_proxy_principals() default "";
    }

    private final CellHost host;

    @Activate
    public CellComponent(@Reference Consensus consensus, @Reference StateStore store,
                         @Reference ConsensusGroups groups, @Reference StateStores stores,
                         @Reference ReplicaIdentity identity, Config config) {
        this.host = new CellHost(consensus, store, groups, stores, settings(identity.cellName(), config),
                Clock.systemUTC(), new SecureRandom());
        host.start();
    }

    /** The host, for the components that view this one (the {@code PartitionView}). */
    CellHost host() {
        return host;
    }

    static CellSettings settings(String cellName, Config c) {
        return new CellSettings(cellName, c.cell_max_content_bytes(), c.cell_session_lease_ms(),
                c.cell_session_max_lease_ms(), c.cell_keepalive_margin_ms(), c.cell_timer_tick_ms(),
                c.cell_session_idle_ms(), c.cell_keepalive_target_per_s(), c.cell_acl_enforce(),
                c.cell_feed_queue_changes(), proxyPrincipals(c.cell_proxy_principals()));
    }

    static Set<String> proxyPrincipals(String list) {
        return Arrays.stream(list == null ? new String[0] : list.split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    @Deactivate
    public void deactivate() {
        host.stop();
    }

    // ------------------------------------------------------------------ whiteboards

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeFilter")
    void addFilter(RequestFilter filter, Map<String, Object> properties) {
        host.addFilter(filter, ranking(properties), serviceId(properties));
    }

    void removeFilter(RequestFilter filter) {
        host.removeFilter(filter);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeAuthorizer")
    void addAuthorizer(Authorizer authorizer, Map<String, Object> properties) {
        host.addAuthorizer(authorizer, ranking(properties), serviceId(properties));
    }

    void removeAuthorizer(Authorizer authorizer) {
        host.removeAuthorizer(authorizer);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeChangeListener")
    void addChangeListener(ChangeListener listener) {
        host.addChangeListener(listener);
    }

    void removeChangeListener(ChangeListener listener) {
        host.removeChangeListener(listener);
    }

    /** The partitioning bundle's partitioner: routing of a partitioned cell's calls (docs/PARTITIONING.md 1.1). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindPartitioner")
    void bindPartitioner(Partitioner partitioner) {
        host.bindPartitioner(partitioner);
    }

    void unbindPartitioner(Partitioner partitioner) {
        host.unbindPartitioner(partitioner);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unsetAdminShell")
    void setAdminShell(AdminShell shell) {
        host.setAdminShell(shell);
    }

    void unsetAdminShell(AdminShell shell) {
        host.unsetAdminShell(shell);
    }

    private static int ranking(Map<String, Object> properties) {
        return properties.get("service.ranking") instanceof Integer i ? i : 0;
    }

    private static long serviceId(Map<String, Object> properties) {
        return properties.get("service.id") instanceof Long l ? l : 0L;
    }

    // ------------------------------------------------------------------ RequestHandler, NamespaceView

    @Override
    public Greeting greeting() {
        return host.greeting();
    }

    @Override
    public void connected(ClientConnection connection) {
        host.connected(connection);
    }

    @Override
    public void request(ClientConnection connection, byte[] request) {
        host.request(connection, request);
    }

    @Override
    public void disconnected(ClientConnection connection) {
        host.disconnected(connection);
    }

    @Override
    public byte[] leavingNotice() {
        return host.leavingNotice();
    }

    @Override
    public String cellName() {
        return host.groupZero().namespace().cellName();
    }

    @Override
    public long appliedIndex() {
        return host.groupZero().namespace().appliedIndex();
    }

    @Override
    public Stat stat(String path) {
        return host.groupZero().namespace().stat(path);
    }

    @Override
    public byte[] contents(String path) {
        return host.groupZero().namespace().contents(path);
    }

    @Override
    public List<DirEntry> children(String path) {
        return host.groupZero().namespace().children(path);
    }

    // ------------------------------------------------------------------ CellMetrics

    @Override
    public Map<String, Number> snapshot() {
        return StatusMetrics.of(host.groupZero().statusForTest());
    }

    // ------------------------------------------------------------------ SessionView

    @Override
    public List<Session> sessions() {
        return host.groupZero().sessions().sessions();
    }

    @Override
    public List<Lock> locks() {
        return host.groupZero().sessions().locks();
    }
}
