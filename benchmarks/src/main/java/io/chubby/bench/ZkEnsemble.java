package io.chubby.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * A ZooKeeper 3.9 ensemble of real server processes on loopback, with the configuration of
 * ZooKeeper's own sample (tickTime 2000, initLimit 10, syncLimit 5) and fsync on (forceSync default).
 */
final class ZkEnsemble implements SystemUnderTest {
    private final Path dir;
    private final int size;
    private final int basePort;
    private final String classpath;
    private final Process[] procs;

    ZkEnsemble(Path dir, int size, int basePort, String classpath) {
        this.dir = dir;
        this.size = size;
        this.basePort = basePort;
        this.classpath = classpath;
        this.procs = new Process[size + 1];
    }

    @Override
    public String name() {
        return "zookeeper";
    }

    int clientPort(int i) {
        return basePort + i;
    }

    String connectString() {
        List<String> a = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            a.add("127.0.0.1:" + clientPort(i));
        }
        return String.join(",", a);
    }

    @Override
    public void start() throws Exception {
        for (int i = 1; i <= size; i++) {
            Path d = dir.resolve("zk" + i);
            Files.createDirectories(d.resolve("data"));
            Files.writeString(d.resolve("data/myid"), "" + i);
            StringBuilder cfg = new StringBuilder();
            cfg.append("tickTime=2000\ninitLimit=10\nsyncLimit=5\n");
            cfg.append("dataDir=").append(d.resolve("data")).append('\n');
            cfg.append("clientPort=").append(clientPort(i)).append('\n');
            cfg.append("clientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=srvr\n");
            cfg.append("maxClientCnxns=0\n");
            for (int j = 1; j <= size; j++) {
                cfg.append("server.").append(j).append("=127.0.0.1:").append(basePort + 100 + j).append(':')
                        .append(basePort + 200 + j).append('\n');
            }
            Files.writeString(d.resolve("zoo.cfg"), cfg.toString());
        }
        for (int i = 1; i <= size; i++) {
            startOne(i);
        }
        waitForLeader(60_000);
    }

    private void startOne(int i) throws IOException {
        Path d = dir.resolve("zk" + i);
        procs[i] = Procs.spawn(d, List.of(Procs.javaBin(), "-Xmx256m", "-cp", classpath,
                "-Dzookeeper.log.dir=" + d, "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                d.resolve("zoo.cfg").toString()), d.resolve("console.log"));
    }

    private String srvr(int i) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", clientPort(i)), 500);
            s.setSoTimeout(1000);
            OutputStream o = s.getOutputStream();
            o.write("srvr".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            StringBuilder b = new StringBuilder();
            BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            for (String l; (l = r.readLine()) != null; ) {
                b.append(l).append('\n');
            }
            return b.toString();
        } catch (IOException e) {
            return "";
        }
    }

    private int leaderIndex() {
        for (int i = 1; i <= size; i++) {
            if (procs[i] != null && procs[i].isAlive() && srvr(i).contains("Mode: leader")) {
                return i;
            }
        }
        return 0;
    }

    private void waitForLeader(long ms) {
        long end = System.currentTimeMillis() + ms;
        while (leaderIndex() == 0) {
            if (System.currentTimeMillis() > end) {
                throw new IllegalStateException("ZooKeeper elected no leader in " + ms + " ms");
            }
            Procs.sleep(100);
        }
    }

    @Override
    public KvClient newClient() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString(), 10_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(30, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("ZooKeeper client did not connect");
        }
        return new KvClient() {
            @Override
            public void prepare(String key) throws Exception {
                try {
                    zk.create("/" + key, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                } catch (KeeperException.NodeExistsException exists) {
                    // prepared by an earlier run
                }
            }

            @Override
            public void write(String key, byte[] value) throws Exception {
                zk.setData("/" + key, value, -1);
            }

            @Override
            public CompletableFuture<Void> writeAsync(String key, byte[] value) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                zk.setData("/" + key, value, -1, (rc, path, ctx, stat) -> {
                    if (rc == 0) {
                        f.complete(null);
                    } else {
                        f.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), path));
                    }
                }, null);
                return f;
            }

            @Override
            public CompletableFuture<byte[]> readAsync(String key) {
                CompletableFuture<byte[]> f = new CompletableFuture<>();
                zk.getData("/" + key, false, (rc, path, ctx, data, stat) -> {
                    if (rc == 0) {
                        f.complete(data);
                    } else {
                        f.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), path));
                    }
                }, null);
                return f;
            }

            private org.apache.curator.framework.CuratorFramework curator;

            @Override
            public synchronized DistLock lock(String name) throws Exception {
                if (curator == null) {
                    curator = org.apache.curator.framework.CuratorFrameworkFactory.newClient(connectString(), 10_000, 10_000,
                            new org.apache.curator.retry.RetryNTimes(3, 100));
                    curator.start();
                    curator.blockUntilConnected(30, TimeUnit.SECONDS);
                }
                org.apache.curator.framework.recipes.locks.InterProcessMutex m =
                        new org.apache.curator.framework.recipes.locks.InterProcessMutex(curator, "/bench-locks/" + name);
                return new DistLock() {
                    @Override
                    public void acquire() throws Exception {
                        m.acquire();
                    }

                    @Override
                    public void release() throws Exception {
                        m.release();
                    }
                };
            }

            @Override
            public void close() {
                if (curator != null) {
                    curator.close();
                }
                try {
                    zk.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    @Override
    public SessionPool sessions() {
        return new ZkSessions(connectString());
    }

    @Override
    public long leaderPid() {
        int i = leaderIndex();
        if (i == 0) {
            throw new IllegalStateException("no ZooKeeper leader");
        }
        return procs[i].pid();
    }

    @Override
    public void restartStopped() throws Exception {
        for (int i = 1; i <= size; i++) {
            if (procs[i] == null || !procs[i].isAlive()) {
                startOne(i);
            }
        }
        long end = System.currentTimeMillis() + 60_000;
        for (int i = 1; i <= size; i++) {
            while (!srvr(i).contains("Mode:")) {
                if (System.currentTimeMillis() > end) {
                    throw new IllegalStateException("zk" + i + " did not rejoin");
                }
                Procs.sleep(100);
            }
        }
    }

    @Override
    public void close() {
        Procs.stopAll(procs);
    }
}
