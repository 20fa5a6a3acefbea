package io.chubby.client.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.MasterInfo;
import io.chubby.client.ClientOptions;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.MasterLocationRequest;
import io.chubby.protocol.PartitionMaster;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.mina.transport.socket.nio.NioSocketConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finding masters: asks replicas in turn where a partition's master is (MasterLocation), connects
 * to the one named, and watches every master connection it hands out for the replica's leaving
 * notice (PROTOCOL.md "Leaving notice"), telling each registered {@link Listener}. Owns what the
 * {@link MasterFollower}s of all partitions share: the MINA connector, the {@link ConnectionPool}
 * (one connection per replica), the call ids, the {@link PartitionMap} as last learned and the
 * cell's name as the master's HelloReply gave it.
 *
 * <p>Thread-safe: the listeners are a concurrent set, the map an atomic reference, the pool guards
 * itself; the rest is final or volatile.
 */
final class MasterDiscovery {
    private static final Logger log = LoggerFactory.getLogger(MasterDiscovery.class);
    private static final byte[] LOCATE = Request.newBuilder()
            .setMasterLocation(MasterLocationRequest.getDefaultInstance()).build().toByteArray();

    /** Who follows a master connection handed out here. */
    interface Listener {
        /**
         * The replica behind {@code c} said it is leaving; {@code where} is the master its notice
         * names (null when it names none). Called on the I/O thread, before {@code c} is set to
         * close once idle.
         */
        void leaving(Connection c, MasterInfo where);
    }

    private final ClientOptions options;
    private final ScheduledExecutorService timer;
    private final NioSocketConnector connector;
    private final AtomicLong callIds = new AtomicLong();
    private final Set<Listener> listeners = new CopyOnWriteArraySet<>();
    private final ConnectionPool pool;
    private final AtomicReference<PartitionMap> map = new AtomicReference<>(PartitionMap.ONE);
    private volatile String cellName; // as the master's HelloReply names it
    private volatile boolean closed;

    MasterDiscovery(ClientOptions options, ScheduledExecutorService timer) {
        this.options = options;
        this.timer = timer;
        this.connector = Connection.newConnector(options.connectTimeout().toMillis(), options.security());
        this.pool = new ConnectionPool(a -> open(a).thenApply(this::serving), timer, options.callTimeout().toMillis());
    }

    /** The partition map as last learned (a cell of one partition until a replica says otherwise). */
    PartitionMap map() {
        return map.get();
    }

    /** Takes what a MasterLocation (an answer, or the location in a refusal) says about the partitions. */
    PartitionMap learn(MasterLocation m) {
        return map.updateAndGet(x -> x.learn(m));
    }

    /** Partition {@code p}'s master at {@code address} could not be reached: look for it again. */
    void unreachable(int p, String address) {
        map.updateAndGet(x -> x.forget(p, address));
    }

    /** The shared connections: one per replica address. */
    ConnectionPool pool() {
        return pool;
    }

    /** A call id not used before on any connection of this discovery. */
    long nextCallId() {
        return callIds.incrementAndGet();
    }

    /** The cell's name as its master calls it (null before the first master was found). */
    String cellName() {
        return cellName;
    }

    void addListener(Listener l) {
        listeners.add(l);
    }

    void removeListener(Listener l) {
        listeners.remove(l);
    }

    boolean isClosed() {
        return closed;
    }

    /** Connects to {@code address}, Hello included. */
    CompletableFuture<Connection> open(String address) {
        return Connection.open(connector, address, options.clientName(), options.security(),
                options.connectTimeout().toMillis(), timer);
    }

    /**
     * Asks the replicas of {@code order} in turn for partition {@code partition}'s master (the
     * cell's master in a cell of one partition) and completes with a connection to it, held from
     * the {@link #pool}; every epoch of that partition learned on the way goes to {@code epochs},
     * every map to {@link #learn}. Fails with a {@link TransportFailure} when no replica named a
     * reachable master, or with the replica's {@link ChubbyException} when it refused the Hello
     * (the same everywhere).
     */
    CompletableFuture<Connection> locate(List<String> order, int partition, LongConsumer epochs) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        locate(order, 0, partition, result, new java.util.ArrayList<>(), epochs);
        return result;
    }

    /** Stops connecting and closes the pooled connections. */
    void close() {
        closed = true;
        pool.closeAll();
        connector.dispose(false);
    }

    /** Partition {@code p}'s master as the answering replica names it (null if it names none). */
    private static MasterInfo masterOf(MasterLocation m, int p) {
        if (m.getPartitions() <= 1) {
            return p == 0 ? Wire.masterInfo(m) : null;
        }
        for (PartitionMaster pm : m.getPartitionMastersList()) {
            if (pm.getPartition() == p) {
                return new MasterInfo(m.getCell(), pm.getMasterId(),
                        pm.getMasterAddress().isEmpty() ? null : pm.getMasterAddress(), pm.getEpoch(),
                        m.getReplicasList());
            }
        }
        return null;
    }

    private void learnCell(Connection c) {
        var hello = c.helloReply();
        if (hello != null && !hello.getCell().isEmpty()) {
            cellName = hello.getCell();
        }
    }

    /** {@code c} is a master connection from now on: it listens for the replica's leaving notice. */
    private Connection serving(Connection c) {
        learnCell(c);
        c.onLeaving(notice -> leaving(c, notice));
        return c;
    }

    /**
     * The replica behind {@code c} is leaving (it stops): every listener hears where the notice
     * says the master is; {@code c} closes once its calls in flight are answered.
     */
    private void leaving(Connection c, Response notice) {
        MasterInfo mi = notice.hasMaster() ? Wire.masterInfo(notice.getMaster()) : null;
        if (notice.hasMaster()) {
            learn(notice.getMaster());
        }
        log.info("replica leaving address={} {}", c.address(), notice.getError().getMessage());
        for (Listener l : listeners) {
            l.leaving(c, mi);
        }
        // Only here, not at every retire: a connection given up after NOT_MASTER or a timeout stays
        // open for a call timeout as before. Closing those at once too made a client that re-asks a
        // proxy every KeepAlive timeout reconnect so often that the proxy's group call, superseded
        // at each reconnect, never timed out against a paused master (SessionsThroughProxiesIT).
        c.closeWhenIdle();
    }

    private void locate(List<String> order, int i, int partition, CompletableFuture<Connection> result,
                        List<String> why, LongConsumer epochs) {
        if (closed) {
            result.completeExceptionally(new TransportFailure("channel closed", false, false));
            return;
        }
        if (i >= order.size()) {
            result.completeExceptionally(new TransportFailure("no replica named a master (" + String.join("; ", why)
                    + ")", false, false));
            return;
        }
        String addr = order.get(i);
        long connectMs = options.connectTimeout().toMillis();
        open(addr).whenComplete((c, e) -> {
            if (e != null) {
                if (Futures.unwrap(e) instanceof ChubbyException refused) {
                    result.completeExceptionally(refused); // the Hello was refused: the same everywhere
                    return;
                }
                why.add(Futures.describe(e));
                locate(order, i + 1, partition, result, why, epochs);
                return;
            }
            c.call(nextCallId(), 0, LOCATE, connectMs).whenComplete((a, e2) -> {
                Response resp = e2 == null ? a.response() : null;
                boolean located = resp != null && !resp.hasError() && resp.hasMasterLocation();
                if (located) {
                    learn(resp.getMasterLocation());
                }
                MasterInfo mi = located ? masterOf(resp.getMasterLocation(), partition) : null;
                if (mi == null || !mi.known()) {
                    why.add(addr + ": " + (e2 != null ? Futures.describe(e2)
                            : resp.hasError() ? Wire.error(resp).getMessage()
                            : partition == 0 ? "knows no master" : "knows no master of partition " + partition));
                    c.close();
                    locate(order, i + 1, partition, result, why, epochs);
                    return;
                }
                epochs.accept(mi.epoch());
                if (mi.masterAddress().equals(addr)) {
                    log.info("found master address={} epoch={} partition={}", addr, mi.epoch(), partition);
                    pool.adopt(serving(c)).whenComplete((m, e3) -> result.complete(m));
                    return;
                }
                c.close();
                pool.acquire(mi.masterAddress()).whenComplete((m, e3) -> {
                    if (e3 != null && Futures.unwrap(e3) instanceof ChubbyException refused) {
                        result.completeExceptionally(refused);
                    } else if (e3 != null) {
                        why.add("master " + Futures.describe(e3));
                        locate(order, i + 1, partition, result, why, epochs);
                    } else {
                        log.info("found master address={} epoch={} partition={} via={}", mi.masterAddress(),
                                mi.epoch(), partition, addr);
                        result.complete(m);
                    }
                });
            });
        });
    }
}
