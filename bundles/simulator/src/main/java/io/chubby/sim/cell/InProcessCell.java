package io.chubby.sim.cell;

import io.chubby.cell.internal.CellServer;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.StatusReply;
import io.chubby.spi.AdminShell;
import io.chubby.spi.Member;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.MemoryStateStore;
import io.chubby.testkit.MutableClock;
import io.chubby.transport.internal.ClientAcceptor;
import io.chubby.transport.internal.ClientSettings;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One replica of a real cell in this JVM, for tests that talk to a cell the way clients do:
 * session-mgr's {@link CellServer} (the namespace, sessions, KeepAlive, locks, sequencers, events:
 * the real request handling) on the testkit's {@link FakeConsensus} and {@link MemoryStateStore},
 * served by transport-mina's real {@link ClientAcceptor} on 127.0.0.1. The client library and the
 * CLI reach it at {@link #address()} over TCP like any replica.
 *
 * <p>What is not real: consensus (one replica's log, applied at once; no peers, so several
 * instances do not replicate to each other: see {@link InProcessReplicas}) and storage (memory).
 * Everything above {@code Consensus} and {@code StateStore} is the production code.
 *
 * <p>By default: cell {@code local}, replica 1, master at epoch 1, a port chosen by the system,
 * {@link CellSettings#defaults} (lease timer thread every 100 ms), and a clock that follows real
 * time ({@link MutableClock#following}), so leases run as in a server and a test can still make
 * time jump with {@link #clock()}.
 *
 * <p>Threads: the transport's I/O threads, the cell's timer and the test call in; the methods of
 * this class may be called from any thread.
 */
public final class InProcessCell implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    private final int selfId;
    private final String cellName;
    private final FakeConsensus consensus;
    private final MemoryStateStore store = new MemoryStateStore();
    private final MutableClock clock;
    private final CellServer server;
    private int port; // guarded by this
    private ClientAcceptor acceptor; // guarded by this; null while isolated or closed
    private boolean closed; // guarded by this
    private volatile AdminShell adminShell;

    private InProcessCell(Builder b) {
        CellSettings settings = b.settings != null ? b.settings : CellSettings.defaults(b.cellName);
        this.selfId = b.selfId;
        this.cellName = settings.cellName();
        this.clock = b.clock != null ? b.clock : MutableClock.following(Clock.systemUTC());
        // The real port is known once bound; until then (no client can connect yet) self names the requested one.
        this.consensus = new FakeConsensus(List.of(member(selfId, b.port == 0 ? 1 : b.port)), selfId,
                b.masterId == null ? selfId : b.masterId, b.epoch);
        this.server = new CellServer(consensus, store, settings, clock);
    }

    /** A one-replica cell {@code local} whose replica 1 is master, on a port chosen by the system. */
    public static InProcessCell start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How to start an {@link InProcessCell}; every setting has a default. */
    public static final class Builder {
        private String cellName = "local";
        private int selfId = 1;
        private int port;
        private Integer masterId;
        private long epoch = 1;
        private MutableClock clock;
        private CellSettings settings;

        private Builder() {
        }

        /** The cell's name (default {@code local}); ignored when {@link #settings} are given. */
        public Builder cellName(String name) {
            this.cellName = name;
            return this;
        }

        /** This replica's id (default 1). */
        public Builder replicaId(int id) {
            this.selfId = id;
            return this;
        }

        /** The client port; 0 (default) lets the system choose. */
        public Builder port(int p) {
            this.port = p;
            return this;
        }

        /** Whom this replica believes master (0: none known, a candidate) at which epoch; default itself at 1. */
        public Builder view(int master, long atEpoch) {
            this.masterId = master;
            this.epoch = atEpoch;
            return this;
        }

        /** The cell's clock; e.g. a standing {@code new MutableClock()} for reproducible times. */
        public Builder clock(MutableClock c) {
            this.clock = c;
            return this;
        }

        /** The cell's settings, its name included (default {@link CellSettings#defaults}). */
        public Builder settings(CellSettings s) {
            this.settings = s;
            return this;
        }

        /** Starts the cell server, then listens for clients; throws if the port is taken. */
        public InProcessCell start() {
            InProcessCell cell = new InProcessCell(this);
            cell.server.start();
            try {
                cell.listen(port);
            } catch (RuntimeException e) {
                cell.server.stop();
                throw e;
            }
            cell.awaitLeaseCeiling();
            return cell;
        }
    }

    private synchronized void listen(int requestedPort) {
        ClientAcceptor a = new ClientAcceptor(
                ClientSettings.of(new InetSocketAddress(HOST, requestedPort)), server);
        a.start();
        acceptor = a;
        port = a.localAddress().getPort();
        if (consensus.self().clientPort() != port) {
            consensus.setMembers(List.of(member(selfId, port)));
        }
    }

    /** A member on 127.0.0.1; nothing listens for peers (consensus is a fake), so the peer port is the client port. */
    static Member member(int id, int clientPort) {
        return new Member(id, HOST, clientPort, clientPort);
    }

    /** {@code 127.0.0.1:port}, where clients reach this replica. */
    public synchronized String address() {
        return HOST + ":" + port;
    }

    public synchronized int port() {
        return port;
    }

    public int replicaId() {
        return selfId;
    }

    public String cellName() {
        return cellName;
    }

    /** The consensus the test drives: fail over, hold proposals, ... */
    public FakeConsensus consensus() {
        return consensus;
    }

    public MemoryStateStore store() {
        return store;
    }

    public MutableClock clock() {
        return clock;
    }

    /** The cell server itself. */
    public CellServer server() {
        return server;
    }

    /** Binds the shell that Admin requests run in (null: none, and they fail INVALID_ARGUMENT). */
    public void setAdminShell(AdminShell shell) {
        AdminShell old = adminShell;
        if (old != null) {
            server.unsetAdminShell(old);
        }
        adminShell = shell;
        if (shell != null) {
            server.setAdminShell(shell);
        }
    }

    /**
     * A master records its lease ceiling in a proposal of its own, from its timer, soon after it
     * took over. Done here before the cell is handed out, so that from then on every proposal is a
     * client's: tests that arm a failure for "the next proposal" (the testkit's FakeConsensus)
     * would otherwise see the timer's proposal take that place on a busy machine (a local CI at
     * load 28 did). Waits at most 10 s; a replica that is not the master proposes nothing.
     */
    private void awaitLeaseCeiling() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (consensus.isMaster() && "0".equals(status().getMetricsMap().getOrDefault("lease_ceiling_ms", "0"))
                && System.nanoTime() < deadline) {
            server.tick();
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** What this replica answers to Status. */
    public StatusReply status() {
        return server.statusForTest();
    }

    /** One step of the cell's lease timer, now (after moving {@link #clock()}, say). */
    public void tick() {
        server.tick();
    }

    /**
     * Cuts this replica off from its clients: every client connection is closed and new ones are
     * refused until {@link #heal()}. The cell itself runs on (its timer may end sessions).
     */
    public synchronized void isolate() {
        if (acceptor != null) {
            acceptor.stop();
            acceptor = null;
        }
    }

    /** Listens again on the same port after {@link #isolate()}. */
    public synchronized void heal() {
        if (closed) {
            throw new IllegalStateException("replica " + selfId + " is closed");
        }
        if (acceptor == null) {
            listen(port);
        }
    }

    /** Closes every client connection and stops the cell server. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            isolate();
        }
        server.stop();
    }
}
