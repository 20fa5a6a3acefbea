package io.chubby.bench;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * ZooKeeper sessions: one {@link ZooKeeper} client object (its own connection and two threads)
 * per session, as ZooKeeper's client offers no session multiplexing; the client pings by itself.
 * Reads of workload 9 are {@code getData} on the session's own client, answered by the server it is
 * connected to (ZooKeeper reads are not linearizable: a server may lag the leader).
 *
 * <p>With {@code packets} (plaintext ensembles), {@link #describe()} adds the client packets the
 * voters and the observers received since the pool was made or, in workload 6b, since the hold began.
 */
final class ZkSessions implements SessionPool {
    private final String connect;
    private final java.util.function.Supplier<ZKClientConfig> config;
    private final java.util.function.Consumer<ZooKeeper> authenticate;
    private final Set<ZooKeeper> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong expired = new AtomicLong();
    private final java.util.function.Supplier<ZkEnsemble.Packets> packets;
    private final String more;
    private volatile ZkEnsemble.Packets baseline;
    private volatile long baselineNanos;
    private volatile boolean holding;

    /**
     * {@code config}: a client configuration per session (TLS when secured); {@code authenticate}:
     * run on each new client before it connects (adds digest credentials when secured).
     */
    ZkSessions(String connect, java.util.function.Supplier<ZKClientConfig> config,
               java.util.function.Consumer<ZooKeeper> authenticate) {
        this(connect, config, authenticate, null, "");
    }

    /** {@code packets}: the servers' client packet counts, or null; {@code more}: text added to {@link #describe()}. */
    ZkSessions(String connect, java.util.function.Supplier<ZKClientConfig> config,
               java.util.function.Consumer<ZooKeeper> authenticate, java.util.function.Supplier<ZkEnsemble.Packets> packets,
               String more) {
        this.connect = connect;
        this.config = config;
        this.authenticate = authenticate;
        this.packets = packets;
        this.more = more;
        if (packets != null) {
            baseline = packets.get();
            baselineNanos = System.nanoTime();
        }
    }

    @Override
    public CompletableFuture<Object> create() {
        CompletableFuture<Object> f = new CompletableFuture<>();
        try {
            ZooKeeper[] box = new ZooKeeper[1];
            ZooKeeper zk = new ZooKeeper(connect, 12_000, e -> {
                if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                    synchronized (box) {
                        while (box[0] == null) {
                            try {
                                box.wait();
                            } catch (InterruptedException ie) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    }
                    f.complete(box[0]);
                } else if (e.getState() == Watcher.Event.KeeperState.Expired) {
                    expired.incrementAndGet();
                }
            }, config.get());
            authenticate.accept(zk);
            synchronized (box) {
                box[0] = zk;
                box.notifyAll();
            }
            open.add(zk);
        } catch (Exception e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    @Override
    public CompletableFuture<Void> end(Object session) {
        ZooKeeper zk = (ZooKeeper) session;
        return CompletableFuture.runAsync(() -> {
            try {
                open.remove(zk);
                zk.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Override
    public void keepAlive(Object session) {
        // the ZooKeeper client pings on its own
    }

    @Override
    public long keepAlivesAnswered() {
        return -1;
    }

    @Override
    public long expired() {
        return expired.get();
    }

    @Override
    public long otherErrors() {
        return 0;
    }

    @Override
    public CompletableFuture<Void> watch(Object session, String key, Runnable onChange) {
        ZooKeeper zk = (ZooKeeper) session;
        CompletableFuture<Void> f = new CompletableFuture<>();
        zk.exists("/" + key, e -> {
            if (e.getType() == Watcher.Event.EventType.NodeDataChanged) {
                onChange.run();
            }
        }, (rc, path, ctx, stat) -> f.complete(null), null);
        return f;
    }

    @Override
    public CompletableFuture<Object> openForRead(Object session, String key) {
        return CompletableFuture.completedFuture("/" + key);
    }

    @Override
    public CompletableFuture<Void> read(Object session, Object opened) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        ((ZooKeeper) session).getData((String) opened, false, (rc, path, ctx, data, stat) -> {
            if (rc == 0) {
                f.complete(null);
            } else {
                f.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), path));
            }
        }, null);
        return f;
    }

    /** Client packets received by the voters (reads, pings, everything a client sends), or -1 without counts. */
    @Override
    public long cellReads() {
        return packets == null ? -1 : packets.get().voters();
    }

    @Override
    public String cellReadsNote(long reads, double secs) {
        return String.format(java.util.Locale.ROOT, "the voters received %d client packets (%.1f/s)", reads, reads / secs);
    }

    @Override
    public void holdStarted() {
        if (packets != null) {
            baseline = packets.get();
            baselineNanos = System.nanoTime();
            holding = true;
        }
    }

    @Override
    public String describe() {
        String out = "one ZooKeeper client (connection) per session" + (config.get().getBoolean(ZKClientConfig.SECURE_CLIENT)
                ? ", each with its own TLS handshake and digest credentials" : "") + more;
        if (packets != null) {
            ZkEnsemble.Packets now = packets.get();
            double secs = (System.nanoTime() - baselineNanos) / 1e9;
            long v = now.voters() - baseline.voters();
            long o = now.observers() - baseline.observers();
            out += String.format(java.util.Locale.ROOT, "; client packets (mntr zk_packets_received) %s (%.0f s): voters %d"
                    + " (%.0f/s), observers %d (%.0f/s)", holding ? "over the hold" : "since the pool was made", secs, v,
                    v / secs, o, o / secs);
        }
        return out;
    }

    @Override
    public void close() {
        for (ZooKeeper zk : open) {
            try {
                zk.close(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        open.clear();
    }
}
