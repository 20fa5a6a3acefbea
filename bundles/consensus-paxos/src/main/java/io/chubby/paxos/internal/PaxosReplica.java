package io.chubby.paxos.internal;

import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusListener;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.LogStore;
import io.chubby.spi.Member;
import io.chubby.spi.PeerTransport;
import io.chubby.spi.ReplicaConfig;
import io.chubby.spi.ReplicaIdentity;
import io.chubby.spi.StateMachine;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * A Multi-Paxos replica of the cell, as the {@link Consensus} service. A thin shell: the
 * {@link ReplicaLoop} thread ({@code paxos-loop-<id>}) owns all mutable state; methods here only
 * queue work for it or read the view it publishes, so they are safe from any thread. Listener and
 * state machine calls happen on the loop thread: they must not block on a proposal's future
 * (only the loop completes it), and a throwing {@code StateMachine.apply} stops the replica
 * (fail-stop: a replica that cannot apply must not keep voting).
 *
 * <p>Used by DS (tuned by PID {@value ReplicaConfig#PAXOS_PID}, every key with a default; id, members
 * and cell name from the {@link ReplicaIdentity}) or directly from plain Java
 * through {@link #PaxosReplica(ReplicaSettings, LogStore, PeerTransport)}; call {@link #close()}
 * when done.
 */
@Component(service = Consensus.class, configurationPid = ReplicaConfig.PAXOS_PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PaxosReplica.Config.class)
public final class PaxosReplica implements Consensus, AutoCloseable {

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
    }

    private final ReplicaSettings settings;
    private final PeerTransport transport;
    private final MastershipTracker tracker;
    private final ReplicaLoop loop;
    private final Thread thread;
    private volatile StateMachine registered;

    @Activate
    public PaxosReplica(Config c, @Reference(name = "identity") ReplicaIdentity identity,
                        @Reference(name = "logStore") LogStore store,
                        @Reference(name = "peerTransport") PeerTransport transport) {
        this(settings(c, identity), store, transport);
    }

    /** Plain-Java entry point (tests, simulator, benchmarks): starts the loop thread at once. */
    public PaxosReplica(ReplicaSettings settings, LogStore store, PeerTransport transport) {
        this(settings, store, transport, () -> System.nanoTime() / 1_000_000,
                System.nanoTime() ^ ((long) settings.replicaId() << 40));
    }

    /**
     * @param clockMillis this replica's local clock in milliseconds, never decreasing
     * @param seed        seed of the election jitter
     */
    public PaxosReplica(ReplicaSettings settings, LogStore store, PeerTransport transport, LongSupplier clockMillis,
                        long seed) {
        this.settings = settings;
        this.transport = transport;
        this.tracker = new MastershipTracker(settings.replicaId());
        this.loop = new ReplicaLoop(settings, store, transport, clockMillis, seed, tracker);
        this.thread = new Thread(loop, "paxos-loop-" + settings.replicaId());
        thread.setDaemon(true);
        thread.start();
        transport.setHandler(loop::onPeerMessage);
    }

    static ReplicaSettings settings(Config c, ReplicaIdentity identity) {
        return new ReplicaSettings(identity.replicaId(), identity.members(), identity.cellName(), c.paxos_lease_ms(),
                c.paxos_renew_ms(), c.paxos_max_drift(), c.paxos_tick_ms(), c.paxos_batch_max_entries(),
                c.paxos_compact_every_entries(), c.paxos_compact_keep_entries());
    }

    @Deactivate
    @Override
    public void close() {
        transport.setHandler(null);
        StateMachine m = registered;
        if (m != null) {
            try {
                unregister(m);
            } catch (IllegalStateException e) {
                // The loop already stopped (fail-stop or double close): nothing left to detach.
            }
        }
        loop.stop();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void register(StateMachine machine) {
        onLoop(() -> loop.attach(machine));
        registered = machine;
    }

    @Override
    public void unregister(StateMachine machine) {
        if (registered == machine) {
            registered = null;
        }
        onLoop(() -> loop.detach(machine));
    }

    /** Runs on the loop thread and waits; directly when already there (a listener calling us). */
    private void onLoop(Runnable task) {
        if (Thread.currentThread() == thread) {
            task.run();
        } else {
            await(loop.submit(task));
        }
    }

    private static void await(CompletableFuture<Void> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("replica loop did not answer within 10 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public CompletableFuture<byte[]> propose(byte[] command) {
        return loop.propose(command);
    }

    @Override
    public boolean isMaster() {
        return loop.isMaster();
    }

    @Override
    public long epoch() {
        return loop.view().epoch();
    }

    @Override
    public int masterId() {
        return loop.view().masterId();
    }

    @Override
    public Member self() {
        return settings.self();
    }

    @Override
    public List<Member> members() {
        return settings.members();
    }

    @Override
    public ConsensusStatus status() {
        return loop.status();
    }

    @Override
    public void addListener(ConsensusListener listener) {
        tracker.add(listener);
    }

    @Override
    public void removeListener(ConsensusListener listener) {
        tracker.remove(listener);
    }
}
