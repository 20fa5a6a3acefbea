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
import org.apache.zookeeper.client.FourLetterWordMain;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * A ZooKeeper 3.9 ensemble of real server processes on loopback, with the configuration of
 * ZooKeeper's own sample (tickTime 2000, initLimit 10, syncLimit 5) and fsync on (forceSync default).
 *
 * <p>Secured ({@code zookeeper-secure}): no plaintext client port, only {@code secureClientPort}
 * (Netty, TLS, {@code ssl.clientAuth=need}), quorum and leader-election links over TLS
 * ({@code sslQuorum=true}), PEM key and trust stores from {@link Certs}. Clients connect with
 * {@code ClientCnxnSocketNetty} and {@code zookeeper.client.secure=true} (a client certificate, CN
 * {@code bench}), add the digest credentials {@code bench:...} ({@code addAuthInfo}) and create every
 * bench znode with one ACL entry, ALL for that digest id, so each read and write is decided by a
 * digest ACL check (CREATOR_ALL_ACL would also list the x509 id of the client certificate, which
 * the server checks first).
 *
 * <p>Netty, plaintext ({@code zookeeper-netty}): the plain ensemble with the Netty connection
 * factory on both sides (server {@code NettyServerCnxnFactory}, client {@code ClientCnxnSocketNetty}),
 * no TLS, no ACLs: ZooKeeper's TLS needs Netty, and its default is NIO, so this tells the cost of
 * TLS and ACLs from the change of factory.
 *
 * <p>With observers ({@code zookeeper-observers}, plaintext only): {@link #withObservers} adds N
 * servers with {@code peerType=observer} ({@code server.K=...:observer}; ids and ports after the
 * voters'); every client and session connects to the observers only, and each server's {@code mntr}
 * ({@code zk_packets_received}: packets from client connections) tells what reached the voters.
 */
final class ZkEnsemble implements SystemUnderTest {
    static final String DIGEST_USER = "bench";
    static final String DIGEST_PASSWORD = "bench-password";

    private final Path dir;
    private final int size;
    private final int basePort;
    private final String classpath;
    private final boolean secure;
    private final boolean netty;
    private Process[] procs;
    private int observers;
    private Certs certs;
    private List<ACL> acl = ZooDefs.Ids.OPEN_ACL_UNSAFE;

    ZkEnsemble(Path dir, int size, int basePort, String classpath) {
        this(dir, size, basePort, classpath, false);
    }

    ZkEnsemble(Path dir, int size, int basePort, String classpath, boolean secure) {
        this(dir, size, basePort, classpath, secure, secure);
    }

    /** {@code netty}: the Netty connection factory on both sides (always with {@code secure}). */
    ZkEnsemble(Path dir, int size, int basePort, String classpath, boolean secure, boolean netty) {
        this.netty = netty || secure;
        this.dir = dir;
        this.size = size;
        this.basePort = basePort;
        this.classpath = classpath;
        this.secure = secure;
        this.procs = new Process[size + 1];
    }

    /** Client packets received ({@code mntr} zk_packets_received), summed over the voters and over the observers. */
    record Packets(long voters, long observers) {
    }

    /** Adds {@code n} observers (server ids size+1..size+n); the system is called zookeeper-observers. Before start(). */
    ZkEnsemble withObservers(int n) {
        if (secure || netty) {
            throw new IllegalArgumentException("observers are benchmarked on the plain ensemble only");
        }
        observers = n;
        procs = new Process[size + n + 1];
        return this;
    }

    @Override
    public String name() {
        return secure ? "zookeeper-secure" : netty ? "zookeeper-netty" : observers > 0 ? "zookeeper-observers" : "zookeeper";
    }

    /** A client configuration: TLS through Netty with the bench certificate when secured, else the defaults. */
    ZKClientConfig clientConfig() {
        ZKClientConfig c = new ZKClientConfig();
        if (netty) {
            c.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        }
        if (secure) {
            c.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
            c.setProperty("zookeeper.ssl.keyStore.location", certs.bundle(DIGEST_USER).toString());
            c.setProperty("zookeeper.ssl.keyStore.type", "PEM");
            c.setProperty("zookeeper.ssl.trustStore.location", certs.ca().toString());
            c.setProperty("zookeeper.ssl.trustStore.type", "PEM");
        }
        return c;
    }

    /** Adds the digest credentials to a new client when secured. */
    private void authenticate(ZooKeeper zk) {
        if (secure) {
            zk.addAuthInfo("digest", (DIGEST_USER + ":" + DIGEST_PASSWORD).getBytes(StandardCharsets.UTF_8));
        }
    }

    int clientPort(int i) {
        return basePort + i;
    }

    /** The servers clients connect to: the observers when there are any, else the voters. */
    String connectString() {
        List<String> a = new ArrayList<>();
        for (int i = observers > 0 ? size + 1 : 1; i <= size + observers; i++) {
            a.add("127.0.0.1:" + clientPort(i));
        }
        return String.join(",", a);
    }

    @Override
    public void start() throws Exception {
        if (secure) {
            certs = Certs.authority(dir.resolve("tls"));
            for (int i = 1; i <= size; i++) {
                certs.issue("zk" + i, "zk" + i);
            }
            certs.issue(DIGEST_USER, DIGEST_USER).issue("stranger", "stranger");
            // not List.of: ZooKeeper.create asks the list whether it contains null
            acl = java.util.Collections.singletonList(new ACL(ZooDefs.Perms.ALL, new Id("digest",
                    DigestAuthenticationProvider.generateDigest(DIGEST_USER + ":" + DIGEST_PASSWORD))));
        }
        for (int i = 1; i <= size + observers; i++) {
            Path d = dir.resolve("zk" + i);
            Files.createDirectories(d.resolve("data"));
            Files.writeString(d.resolve("data/myid"), "" + i);
            StringBuilder cfg = new StringBuilder();
            cfg.append("tickTime=2000\ninitLimit=10\nsyncLimit=5\n");
            cfg.append("dataDir=").append(d.resolve("data")).append('\n');
            if (secure) {
                // no plaintext port at all: srvr (leader detection) goes over TLS too
                String me = "zk" + i;
                cfg.append("secureClientPort=").append(clientPort(i)).append('\n');
                cfg.append("secureClientPortAddress=127.0.0.1\n");
                cfg.append("serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory\n");
                cfg.append("ssl.keyStore.location=").append(certs.bundle(me)).append("\nssl.keyStore.type=PEM\n");
                cfg.append("ssl.trustStore.location=").append(certs.ca()).append("\nssl.trustStore.type=PEM\n");
                cfg.append("ssl.clientAuth=need\n");
                cfg.append("sslQuorum=true\nportUnification=false\n");
                cfg.append("ssl.quorum.keyStore.location=").append(certs.bundle(me)).append("\nssl.quorum.keyStore.type=PEM\n");
                cfg.append("ssl.quorum.trustStore.location=").append(certs.ca()).append("\nssl.quorum.trustStore.type=PEM\n");
            } else {
                cfg.append("clientPort=").append(clientPort(i)).append('\n');
                cfg.append("clientPortAddress=127.0.0.1\n");
                if (netty) {
                    cfg.append("serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory\n");
                }
            }
            cfg.append("admin.enableServer=false\n4lw.commands.whitelist=srvr,mntr\n");
            cfg.append("maxClientCnxns=0\n");
            if (i > size) {
                cfg.append("peerType=observer\n");
            }
            for (int j = 1; j <= size + observers; j++) {
                cfg.append("server.").append(j).append("=127.0.0.1:").append(basePort + 100 + j).append(':')
                        .append(basePort + 200 + j).append(j > size ? ":observer" : "").append('\n');
            }
            Files.writeString(d.resolve("zoo.cfg"), cfg.toString());
        }
        for (int i = 1; i <= size + observers; i++) {
            startOne(i);
        }
        waitForLeader(60_000);
        awaitObservers(60_000);
        if (secure) {
            checkAclEnforced();
        }
    }

    /** A TLS client without the digest credentials must be refused by a bench znode's ACL. */
    private void checkAclEnforced() throws Exception {
        try (KvClient c = newClient()) {
            c.prepare("bench-acl-check");
        }
        ZooKeeper anon = connect(clientConfig(), false);
        try {
            anon.setData("/bench-acl-check", new byte[1], -1);
            throw new IllegalStateException("ZooKeeper ACL not enforced: a client without the digest wrote a bench znode");
        } catch (KeeperException.NoAuthException expected) {
            // the digest ACL decided
        } finally {
            anon.close();
        }
    }

    private void startOne(int i) throws IOException {
        Path d = dir.resolve("zk" + i);
        procs[i] = Procs.spawn(d, List.of(Procs.javaBin(), "-Xmx256m", "-cp", classpath,
                "-Dzookeeper.log.dir=" + d, "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                d.resolve("zoo.cfg").toString()), d.resolve("console.log"));
    }

    /** Waits until every observer serves ({@code srvr} says {@code Mode: observer}). */
    private void awaitObservers(long ms) {
        long end = System.currentTimeMillis() + ms;
        for (int i = size + 1; i <= size + observers; i++) {
            while (!srvr(i).contains("Mode: observer")) {
                if (System.currentTimeMillis() > end) {
                    throw new IllegalStateException("observer zk" + i + " did not serve in " + ms + " ms");
                }
                Procs.sleep(100);
            }
        }
    }

    private String srvr(int i) {
        return fourLetterWord(i, "srvr");
    }

    /**
     * Client packets received by the voters and by the observers so far ({@code mntr}, plaintext
     * ensembles); a server that does not answer counts 0.
     */
    Packets packets() {
        long voters = 0;
        long obs = 0;
        for (int i = 1; i <= size + observers; i++) {
            long n = Long.parseLong(parseMntr(fourLetterWord(i, "mntr")).getOrDefault("zk_packets_received", "0"));
            if (i <= size) {
                voters += n;
            } else {
                obs += n;
            }
        }
        return new Packets(voters, obs);
    }

    /** {@code mntr}'s answer, one {@code key<TAB>value} per line, as a map. */
    static java.util.Map<String, String> parseMntr(String text) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                out.put(line.substring(0, tab).strip(), line.substring(tab + 1).strip());
            }
        }
        return out;
    }

    /** A four-letter word's answer from server i, or "" when it does not answer. */
    private String fourLetterWord(int i, String word) {
        if (secure) {
            try {
                return FourLetterWordMain.send4LetterWord("127.0.0.1", clientPort(i), word, clientConfig(), 1000);
            } catch (Exception e) {
                return "";
            }
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", clientPort(i)), 500);
            s.setSoTimeout(1000);
            OutputStream o = s.getOutputStream();
            o.write(word.getBytes(StandardCharsets.US_ASCII));
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
        ZooKeeper zk = connect(clientConfig(), true);
        return new KvClient() {
            @Override
            public void prepare(String key) throws Exception {
                try {
                    zk.create("/" + key, new byte[0], acl, CreateMode.PERSISTENT);
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
                    org.apache.curator.framework.CuratorFrameworkFactory.Builder b =
                            org.apache.curator.framework.CuratorFrameworkFactory.builder().connectString(connectString())
                                    .sessionTimeoutMs(10_000).connectionTimeoutMs(10_000)
                                    .retryPolicy(new org.apache.curator.retry.RetryNTimes(3, 100)).zkClientConfig(clientConfig());
                    if (secure) {
                        List<ACL> a = acl;
                        b.authorization("digest", (DIGEST_USER + ":" + DIGEST_PASSWORD).getBytes(StandardCharsets.UTF_8))
                                .aclProvider(new org.apache.curator.framework.api.ACLProvider() {
                                    @Override
                                    public List<ACL> getDefaultAcl() {
                                        return a;
                                    }

                                    @Override
                                    public List<ACL> getAclForPath(String path) {
                                        return a;
                                    }
                                });
                    }
                    curator = b.build();
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
        if (secure) {
            return new ZkSessions(connectString(), this::clientConfig, this::authenticate);
        }
        return new ZkSessions(connectString(), this::clientConfig, this::authenticate, this::packets,
                observers > 0 ? "; clients on " + observers + " observers only" : "");
    }

    /** A connected client (digest credentials added when {@code auth} and secured). */
    private ZooKeeper connect(ZKClientConfig config, boolean auth) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString(), 10_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, config);
        if (auth) {
            authenticate(zk);
        }
        if (!connected.await(30, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("ZooKeeper client did not connect");
        }
        return zk;
    }

    /** The 5 voters' CPU (observers are counted apart, {@link #frontCpuSeconds()}). */
    @Override
    public double cpuSeconds() {
        return Procs.cpuSeconds(procs, 1, size);
    }

    @Override
    public double frontCpuSeconds() {
        return observers == 0 ? Double.NaN : Procs.cpuSeconds(procs, size + 1, size + observers);
    }

    @Override
    public String frontProcesses() {
        return observers + " observers";
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
        for (int i = 1; i <= size + observers; i++) {
            if (procs[i] == null || !procs[i].isAlive()) {
                startOne(i);
            }
        }
        long end = System.currentTimeMillis() + 60_000;
        for (int i = 1; i <= size + observers; i++) {
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
