package io.chubby.paxos.internal;

import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusGroups;
import io.chubby.spi.ConsensusListener;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.LogStore;
import io.chubby.spi.LogStores;
import io.chubby.spi.Member;
import io.chubby.spi.PeerTransport;
import io.chubby.spi.ReplicaConfig;
import io.chubby.spi.ReplicaIdentity;
import io.chubby.spi.StateMachine;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * A Multi-Paxos replica of the cell: the {@link Consensus} service of group 0 (service property
 * {@value #GROUP_PROPERTY}{@code =0}) and, through {@link #groups()}, the {@link ConsensusGroups}
 * through which groups >= 1 are opened (registered by {@link ConsensusGroupsComponent}, a view of
 * this component: a service registered from this component's own activation would make SCR
 * activate its consumers while this object is still being created). A thin shell over a {@link GroupHost}: its loop thread
 * ({@code paxos-loop-<id>}) owns all mutable state of every group; methods here only queue work for
 * it or read the views it publishes, so they are safe from any thread. Listener and state machine
 * calls happen on the loop thread: they must not block on a proposal's future (only the loop
 * completes it), and a throwing {@code StateMachine.apply} stops the replica, every group of it
 * (fail-stop: a replica that cannot apply must not keep voting).
 *
 * <p>Used by DS (tuned by PID {@value ReplicaConfig#PAXOS_PID}, every key with a default; id, members
 * and cell name from the {@link ReplicaIdentity}; every group's log in the {@link LogStores}) or
 * directly from plain Java through {@link #PaxosReplica(ReplicaSettings, LogStore, PeerTransport)}
 * (group 0 only) or {@link #PaxosReplica(ReplicaSettings, LogStores, PeerTransport, LongSupplier, long)};
 * call {@link #close()} when done.
 */
@Component(service = Consensus.class, configurationPid = ReplicaConfig.PAXOS_PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = PaxosReplica.GROUP_PROPERTY + ":Integer=0")
@Designate(ocd = PaxosReplica.Config.class)
public final class PaxosReplica implements Consensus, AutoCloseable {

    /** Service property: the Paxos group a {@link Consensus} service is of (this component's: 0). */
    public static final String GROUP_PROPERTY = "chubby.group";

    @ObjectClassDefinition(id = ReplicaConfig.PAXOS_PID, name = "Chubby replica: consensus",
            description = "Multi-Paxos tuning (who the replica is: the replica identity, PID io.chubby.replica)")
    public @interface Config {
        @AttributeDefinition(name = "Master lease (ms)", description = "L: acceptors promise the master for L")
        long paxos_lease_ms() default 1500;

        @AttributeDefinition(name = "Lease renewal (ms)", description = "At most half the lease")
        long paxos_renew_ms() default 500;

        @AttributeDefinition(name = "Max clock drift", description = "Bound on clock rate error, e.g. 0.01")
        double paxos_max_drift() default 0.01;

        @AttributeDefinition(name = "Tick (ms)", description = "Loop timer period")
        long paxos_tick_ms() default 10;

        @AttributeDefinition(name = "Batch entries", description = "Most entries per Accept / per loop pass")
        int paxos_batch_max_entries() default 1000;

        @AttributeDefinition(name = "Compact every (entries)")
        long paxos_compact_every_entries() default 10_000;

        @AttributeDefinition(name = "Entries kept after compaction")
        long paxos_compact_keep_entries() default 1000;

        @AttributeDefinition(name = "Placement: settle before moving home (ms)", description = "With several "
                + "groups open, a group's master hands it to the group's home replica once that replica has been "
                + "caught up this long; 0 turns the home rule off")
        long paxos_placement_settle_ms() default 10_000;

        @AttributeDefinition(name = "Placement: overloaded above (busy fraction)", description = "Loop busy "
                + "fraction (0..1] above which this replica counts as overloaded")
        double paxos_placement_overload_busy() default 0.7;

        @AttributeDefinition(name = "Placement: overloaded for (ms)", description = "How long overloaded before "
                + "the busiest group mastered here is handed to the least loaded caught-up replica, and the least "
                + "time between two such moves; 0 turns the overload rule off")
        long paxos_placement_overload_ms() default 30_000;

        @AttributeDefinition(name = "Join a running cell", description = "With an empty disk, start with no "
                + "configuration: never campaign until the cell's master adds this replica (paxos:member add, "
                + "chubby member add); ignored once the replica holds any state")
        boolean paxos_join() default false;
    }

    /** Selects this component's {@link Consensus} service ({@link ConsensusGroupsComponent} views it). */
    static final String COMPONENT_FILTER = "(component.name=io.chubby.paxos.internal.PaxosReplica)";

    private final GroupHost host;
    private final GroupConsensus group0;
    /** In OSGi: hands our groups over when the framework starts to stop. */
    private volatile FrameworkStopHandover stopHandover;

    @Activate
    public PaxosReplica(Config c, @Reference(name = "identity") ReplicaIdentity identity,
                        @Reference(name = "logStores") LogStores stores,
                        @Reference(name = "peerTransport") PeerTransport transport, BundleContext context) {
        this(settings(c, identity), placement(c), stores, transport, () -> System.nanoTime() / 1_000_000,
                System.nanoTime() ^ ((long) identity.replicaId() << 40));
        host.joining(c.paxos_join());
        this.stopHandover = FrameworkStopHandover.listen(context, host);
    }

    /** Plain-Java entry point (tests, simulator, benchmarks), group 0 only: starts the loop thread at once. */
    public PaxosReplica(ReplicaSettings settings, LogStore store, PeerTransport transport) {
        this(settings, store, transport, () -> System.nanoTime() / 1_000_000,
                System.nanoTime() ^ ((long) settings.replicaId() << 40));
    }

    /**
     * Group 0 only, over one log store.
     *
     * @param clockMillis this replica's local clock in milliseconds, never decreasing
     * @param seed        seed of the election jitter
     */
    public PaxosReplica(ReplicaSettings settings, LogStore store, PeerTransport transport, LongSupplier clockMillis,
                        long seed) {
        this(settings, new SingleLogStores(store), transport, clockMillis, seed);
    }

    /**
     * Every group's log in {@code stores}; groups >= 1 through {@link #groups()}.
     *
     * @param clockMillis this replica's local clock in milliseconds, never decreasing
     * @param seed        seed of the election jitter
     */
    public PaxosReplica(ReplicaSettings settings, LogStores stores, PeerTransport transport, LongSupplier clockMillis,
                        long seed) {
        this(settings, PlacementSettings.defaults(), stores, transport, clockMillis, seed);
    }

    /**
     * Every group's log in {@code stores}, masters of several groups placed by {@code placement}.
     *
     * @param clockMillis this replica's local clock in milliseconds, never decreasing
     * @param seed        seed of the election jitter
     */
    public PaxosReplica(ReplicaSettings settings, PlacementSettings placement, LogStores stores,
                        PeerTransport transport, LongSupplier clockMillis, long seed) {
        this.host = new GroupHost(settings, placement, stores, transport, clockMillis, seed);
        this.group0 = host.open(0);
    }

    static ReplicaSettings settings(Config c, ReplicaIdentity identity) {
        return new ReplicaSettings(identity.replicaId(), identity.members(), identity.cellName(), c.paxos_lease_ms(),
                c.paxos_renew_ms(), c.paxos_max_drift(), c.paxos_tick_ms(), c.paxos_batch_max_entries(),
                c.paxos_compact_every_entries(), c.paxos_compact_keep_entries());
    }

    static PlacementSettings placement(Config c) {
        return new PlacementSettings(c.paxos_placement_settle_ms(), c.paxos_placement_overload_busy(),
                c.paxos_placement_overload_ms());
    }

    /** The groups this replica hosts (the {@link ConsensusGroups} service in OSGi). */
    public ConsensusGroups groups() {
        return host;
    }

    /** The host (tests: passes and combined writes). */
    GroupHost host() {
        return host;
    }

    @Deactivate
    @Override
    public void close() {
        FrameworkStopHandover l = stopHandover;
        if (l != null) {
            l.close();
        }
        for (int g : host.opened()) {
            if (g != 0) {
                host.close(g);
            }
        }
        group0.detachRegistered();
        host.stop();
    }

    @Override
    public void register(StateMachine machine) {
        group0.register(machine);
    }

    @Override
    public void unregister(StateMachine machine) {
        group0.unregister(machine);
    }

    @Override
    public CompletableFuture<byte[]> propose(byte[] command) {
        return group0.propose(command);
    }

    @Override
    public boolean isMaster() {
        return group0.isMaster();
    }

    @Override
    public long epoch() {
        return group0.epoch();
    }

    @Override
    public int masterId() {
        return group0.masterId();
    }

    @Override
    public Member self() {
        return group0.self();
    }

    @Override
    public List<Member> members() {
        return group0.members();
    }

    @Override
    public ConsensusStatus status() {
        return group0.status();
    }

    @Override
    public void addListener(ConsensusListener listener) {
        group0.addListener(listener);
    }

    @Override
    public void removeListener(ConsensusListener listener) {
        group0.removeListener(listener);
    }
}
