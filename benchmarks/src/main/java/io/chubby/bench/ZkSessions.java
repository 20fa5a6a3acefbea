package io.chubby.bench;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * ZooKeeper sessions: one {@link ZooKeeper} client object (its own connection and two threads)
 * per session, as ZooKeeper's client offers no session multiplexing; the client pings by itself.
 */
final class ZkSessions implements SessionPool {
    private final String connect;
    private final java.util.function.Supplier<ZKClientConfig> config;
    private final java.util.function.Consumer<ZooKeeper> authenticate;
    private final Set<ZooKeeper> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong expired = new AtomicLong();

    /**
     * {@code config}: a client configuration per session (TLS when secured); {@code authenticate}:
     * run on each new client before it connects (adds digest credentials when secured).
     */
    ZkSessions(String connect, java.util.function.Supplier<ZKClientConfig> config,
               java.util.function.Consumer<ZooKeeper> authenticate) {
        this.connect = connect;
        this.config = config;
        this.authenticate = authenticate;
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
    public String describe() {
        return "one ZooKeeper client (connection) per session" + (config.get().getBoolean(ZKClientConfig.SECURE_CLIENT)
                ? ", each with its own TLS handshake and digest credentials" : "");
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
