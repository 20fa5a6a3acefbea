package io.chubby.bench;

import com.google.protobuf.ByteString;
import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ClientSecurity;
import io.chubby.client.Handle;
import io.chubby.client.Identity;
import io.chubby.client.ReplicaStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * A 5-replica cell of ours, started and stopped with the distribution's {@code chubby cell} commands.
 * Every node the workloads use is in the directory {@code /ls/local/bench}.
 *
 * <p>Secured ({@code chubby-secure}): {@code chubby cell up --tls} (a CA and certificates under
 * {@code DIR/tls}, TLS on every client port, mutual TLS on peer links, {@code cell.acl.enforce=true},
 * the acl bundle configured with {@code acl.superusers=admin}) and {@code acl.passwords.file} naming
 * a file with the user {@code bench} (bcrypt, written with {@code chubby acl passwd}). As admin the
 * harness writes the ACL file {@code /ls/local/acl/bench} (listing {@code bench}) and makes the
 * bench directory with read, write and change-ACL names {@code bench}; nodes created below it copy
 * them. The workloads connect over TLS (the cell's CA) and log in as {@code bench} with its
 * password: not a superuser, so every call that needs a decision is decided by the acl bundle.
 *
 * <p>TLS only ({@code chubby-tls}, to tell the two costs apart): {@code cell up --tls} on a copy of
 * the distribution without the acl bundle, so the cell runs TLS on client and peer links but
 * enforces nothing ({@code cell up} writes {@code cell.acl.enforce} only when the bundle is
 * shipped) and has no password authenticator; the workloads present a client certificate (CN
 * {@code bench}, issued by the harness with openssl from the cell's CA) instead.
 */
final class ChubbyCell implements SystemUnderTest {
    /** The bench directory (cell-relative spelling: {@link #REL}). */
    static final String DIR = "/ls/local/bench/";
    static final String REL = "/bench/";
    static final String USER = "bench";
    static final String PASSWORD = "bench-password";

    private final Path home;
    private final Path dir;
    private final int replicas;
    private final int basePort;
    private boolean metricsOff;
    /** Partitions of the namespace ({@code cell up --partitions N}); 1: a cell of one Paxos group. */
    private int partitions = 1;
    private boolean scraped;
    private final String serverOpts;
    private final boolean secure;
    private final boolean tlsOnly;
    /** For chubby-tls-client / chubby-tls-peer: the link that runs plaintext ("peer" or "client"), else null. */
    private final String plainLink;
    /** Chubby proxies every client of this system goes through (plaintext cells only), or null. */
    private ProxyFleet proxies;
    private ClientSecurity security = ClientSecurity.NONE;
    private ClientSecurity statusSecurity = ClientSecurity.NONE;
    private RawConnection.Login login;

    /** {@code serverOpts}: extra JVM options of every replica (CHUBBY_SERVER_OPTS), e.g. a flight recording. */
    ChubbyCell(Path home, Path dir, int replicas, int basePort, String serverOpts) {
        this(home, dir, replicas, basePort, serverOpts, false);
    }

    ChubbyCell(Path home, Path dir, int replicas, int basePort, String serverOpts, boolean secure) {
        this(home, dir, replicas, basePort, serverOpts, secure, false);
    }

    /** {@code tlsOnly}: TLS without access control (the variant chubby-tls). */
    ChubbyCell(Path home, Path dir, int replicas, int basePort, String serverOpts, boolean secure, boolean tlsOnly) {
        this(home, dir, replicas, basePort, serverOpts, secure, tlsOnly, null);
    }

    /**
     * {@code plainLink}: one link of a TLS-only cell turned back to plaintext after {@code cell up --tls},
     * to tell the client link's TLS cost from the peer links' ({@code "peer"}: chubby-tls-client,
     * TLS on the client port only; {@code "client"}: chubby-tls-peer, TLS on peer links only).
     */
    ChubbyCell(Path home, Path dir, int replicas, int basePort, String serverOpts, boolean secure, boolean tlsOnly,
               String plainLink) {
        this.plainLink = plainLink;
        this.home = home;
        this.dir = dir;
        this.replicas = replicas;
        this.basePort = basePort;
        this.serverOpts = serverOpts;
        this.secure = secure;
        this.tlsOnly = tlsOnly;
    }

    /**
     * Issue 22's overhead figure: the system {@code chubby-metrics-off} ({@code cell up --set
     * metrics.enabled=false}: no /metrics servlet on any replica). Before start().
     */
    ChubbyCell metricsOff() {
        metricsOff = true;
        return this;
    }

    /** A cell of {@code n} partitions ({@code cell up --partitions n}, issue 18's figures). Before start(). */
    ChubbyCell partitioned(int n) {
        partitions = n;
        return this;
    }

    /** The system {@code chubby-scraped}: the plain cell, named apart, for {@code --scrape}. Before start(). */
    ChubbyCell scraped() {
        scraped = true;
        return this;
    }

    /** Every replica's /metrics (cell up gives replica i the HTTP port base + 200 + i); none with metrics off. */
    @Override
    public List<String> metricsUrls() {
        List<String> out = new ArrayList<>();
        for (int i = 1; !metricsOff && i <= replicas; i++) {
            out.add("http://127.0.0.1:" + (basePort + 200 + i) + "/metrics");
        }
        return out;
    }

    /**
     * Every client of this system (KvClients and session pools) goes through {@code n} Chubby
     * proxies on ports {@code basePort+400+k}; the system is called chubby-proxies. Before start().
     */
    ChubbyCell throughProxies(int n) {
        if (secure) {
            throw new IllegalArgumentException("proxies in front of a secured cell are not benchmarked");
        }
        proxies = new ProxyFleet(home, dir, basePort + 400, n).withJvmOpts(serverOpts);
        return this;
    }

    @Override
    public String name() {
        if (proxies != null) {
            return "chubby-proxies";
        }
        if (metricsOff) {
            return "chubby-metrics-off";
        }
        if (scraped) {
            return "chubby-scraped";
        }
        if (plainLink != null) {
            return plainLink.equals("peer") ? "chubby-tls-client" : "chubby-tls-peer";
        }
        return tlsOnly ? "chubby-tls" : secure ? "chubby-secure" : "chubby";
    }

    /** The distribution the cell runs: for chubby-tls a copy without the acl bundle. */
    private Path cellHome() throws IOException, InterruptedException {
        if (!tlsOnly) {
            return home;
        }
        Path copy = authDir().resolve("home-without-acl");
        if (!Files.exists(copy)) {
            Files.createDirectories(authDir());
            Procs.run(authDir(), List.of("cp", "-a", home.toString(), copy.toString()), 120);
            try (var bundles = Files.list(copy.resolve("bundle"))) {
                for (Path b : bundles.toList()) {
                    if (b.getFileName().toString().matches("chubby-acl.*\\.jar")) {
                        Files.delete(b);
                    }
                }
            }
        }
        return copy;
    }

    private List<String> chubby(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(cellHome().resolve("bin/chubby").toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Where the passwords file and the bench password live (beside the cell directory). */
    private Path authDir() {
        return dir.resolveSibling(dir.getFileName() + "-auth");
    }

    @Override
    public void start() throws Exception {
        Map<String, String> env = new java.util.HashMap<>();
        if (!serverOpts.isEmpty()) {
            env.put("CHUBBY_SERVER_OPTS", serverOpts);
        }
        List<String> up = chubby("cell", "up", "--replicas", "" + replicas, "--dir", dir.toString(), "--base-port",
                "" + basePort);
        if (metricsOff) {
            up.addAll(List.of("--set", "metrics.enabled=false"));
        }
        if (partitions > 1) {
            up.addAll(List.of("--partitions", "" + partitions));
        }
        Path passwords = authDir().resolve("passwords");
        if (secure && !tlsOnly && !Files.exists(passwords)) {
            Files.createDirectories(authDir());
            Path pw = authDir().resolve(USER + ".password");
            Files.writeString(pw, PASSWORD + "\n");
            Procs.run(home, chubby("acl", "passwd", USER, "--file", passwords.toString(), "--new-password-file",
                    pw.toString()),
                    60);
        }
        if (tlsOnly) {
            up.add("--tls");
        } else if (secure) {
            up.addAll(List.of("--tls", "--set", "acl.passwords.file=" + passwords.toAbsolutePath()));
        }
        Procs.run(home, up, 120, env);
        if (plainLink != null && plainLink.equals("client")) {
            security = ClientSecurity.NONE;
            statusSecurity = ClientSecurity.NONE;
            login = null;
        } else if (tlsOnly) {
            Path tls = dir.resolve("tls");
            Path cert = authDir().resolve("certs").resolve(USER + ".pem");
            if (!Files.exists(cert)) {
                Certs.signedBy(authDir().resolve("certs"), tls.resolve("ca.pem"), tls.resolve("ca.key")).issue(USER, USER);
            }
            Path key = authDir().resolve("certs").resolve(USER + ".key");
            SSLContext withCert = Certs.sslContext(tls.resolve("ca.pem"), cert, key);
            security = ClientSecurity.builder().tls(withCert).build();
            statusSecurity = ClientSecurity.builder().tls(Certs.sslContext(tls.resolve("ca.pem"), null, null)).build();
            login = new RawConnection.Login(withCert, null, null);
        } else if (secure) {
            Path tls = dir.resolve("tls");
            SSLContext ctx = Certs.sslContext(tls.resolve("ca.pem"), null, null);
            security = ClientSecurity.builder().tls(ctx).credentials(USER, PASSWORD.toCharArray()).build();
            statusSecurity = ClientSecurity.builder().tls(ctx).build(); // anonymous: STATUS needs no decision
            login = new RawConnection.Login(ctx, USER, PASSWORD);
        }
        if (plainLink != null) {
            plaintext(plainLink);
        }
        if (proxies != null) {
            proxies.start(cellSpec());
        }
    }

    /**
     * Turns TLS off on one link of every replica at runtime (Config Admin applies the edited file;
     * the transport restarts plaintext), then waits for a master.
     */
    private void plaintext(String link) throws IOException {
        String pid = link.equals("peer") ? "io.chubby.transport.peer" : "io.chubby.transport.client";
        String key = "transport." + link + ".tls.enabled";
        for (int i = 1; i <= replicas; i++) {
            Path cfg = dir.resolve("replica-" + i).resolve("etc").resolve(pid + ".cfg");
            String text = Files.readString(cfg);
            if (!text.contains(key + "=true")) {
                throw new IllegalStateException(cfg + " has no " + key + "=true");
            }
            Files.writeString(cfg, text.replace(key + "=true", key + "=false"));
        }
        Procs.sleep(5000);
        masterRef();
    }

    /**
     * Makes the bench directory (once per cell): plain, anonymously; secured, as admin (the
     * superuser certificate {@code cell up --tls} made), with the ACL file and names above, then
     * checks that the bench user is really refused outside it.
     */
    private void prepareDirectory() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("CHUBBY_CELL", cellSpec()));
        boolean clientTls = secure && !"client".equals(plainLink);
        if (clientTls) {
            Path tls = dir.resolve("tls");
            env.put(ClientSecurity.TLS_CA_ENV, tls.resolve("ca.pem").toString());
            env.put(ClientSecurity.TLS_CERT_ENV, tls.resolve("admin.pem").toString());
            env.put(ClientSecurity.TLS_KEY_ENV, tls.resolve("admin.key").toString());
            if (!tlsOnly) {
                Procs.run(home, chubby("acl", "file", "put", USER, USER), 60, env);
            }
        }
        Procs.run(home, chubby("mkdir", "-p", DIR.substring(0, DIR.length() - 1)), 60, env);
        if (tlsOnly && clientTls) {
            try (ChubbyClient c = ChubbyClient.connect(options())) {
                Identity me = c.identity();
                if (!me.principal().equals(USER) || me.mechanism() != Identity.Mechanism.TLS_CERTIFICATE) {
                    throw new IllegalStateException("the bench client is " + me + ", not " + USER + " (TLS certificate)");
                }
            }
        } else if (secure && !tlsOnly) {
            Procs.run(home, chubby("acl", "set", DIR.substring(0, DIR.length() - 1), "--read", USER, "--write", USER,
                    "--change", USER), 60, env);
            try (ChubbyClient c = ChubbyClient.connect(options())) {
                Identity me = c.identity();
                if (!me.principal().equals(USER) || me.mechanism() != Identity.Mechanism.PASSWORD) {
                    throw new IllegalStateException("the bench client is " + me + ", not " + USER + " (password)");
                }
                try {
                    c.open("/ls/local/bench-outside", OpenOptions.write().withCreate(CreateMode.MAY)).close();
                    throw new IllegalStateException("ACLs not enforced: " + USER + " created a node outside " + DIR);
                } catch (ChubbyException e) {
                    if (e.code() != io.chubby.api.ErrorCode.PERMISSION_DENIED) {
                        throw e;
                    }
                }
            }
        }
    }

    private volatile boolean prepared;

    private synchronized void ensurePrepared() throws Exception {
        if (!prepared) {
            prepareDirectory();
            prepared = true;
        }
    }

    /** A client of the cell, the bench directory made: for workloads that name their own nodes. */
    ChubbyClient connect() throws Exception {
        ensurePrepared();
        return ChubbyClient.connect(options());
    }

    /** Every replica's Status (a replica that does not answer is left out). */
    List<ReplicaStatus> statuses() {
        List<ReplicaStatus> out = new ArrayList<>();
        for (int i = 1; i <= replicas; i++) {
            try {
                out.add(ChubbyClient.status("127.0.0.1:" + (basePort + i), Duration.ofSeconds(2), statusSecurity));
            } catch (ChubbyException down) {
                // not answering: not counted
            }
        }
        return out;
    }

    private ClientOptions options() {
        return ClientOptions.builder().cell(proxies == null ? cellSpec() : proxies.spec()).callTimeout(Duration.ofSeconds(20)).security(security).build();
    }

    String cellSpec() {
        List<String> a = new ArrayList<>();
        for (int i = 1; i <= replicas; i++) {
            a.add("127.0.0.1:" + (basePort + i));
        }
        return String.join(",", a);
    }

    private ReplicaStatus master() {
        for (int i = 1; i <= replicas; i++) {
            try {
                ReplicaStatus s = ChubbyClient.status("127.0.0.1:" + (basePort + i), Duration.ofSeconds(1), statusSecurity);
                if (s.isMaster()) {
                    return s;
                }
            } catch (ChubbyException down) {
                // a replica that does not answer is not the master
            }
        }
        throw new IllegalStateException("no master found");
    }

    /** The master's client address and epoch, waiting up to 30 s for a master to exist. */
    RawLoad.MasterRef masterRef() {
        long end = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                ReplicaStatus s = master();
                String a = s.address() == null || s.address().isEmpty() ? "127.0.0.1:" + (basePort + s.replicaId())
                        : s.address();
                return new RawLoad.MasterRef(a, s.epoch());
            } catch (IllegalStateException none) {
                if (System.nanoTime() > end) {
                    throw none;
                }
                Procs.sleep(100);
            }
        }
    }

    @Override
    public KvClient newClient() throws Exception {
        ensurePrepared();
        ChubbyClient c = ChubbyClient.connect(options());
        return new KvClient() {
            private final Map<String, Handle> handles = new ConcurrentHashMap<>();
            private final Map<String, ByteString> rawHandles = new ConcurrentHashMap<>();
            private RawLoad raw;
            private RawLoad.Session rawSession;

            @Override
            public void prepare(String key) {
                handles.computeIfAbsent(key, k -> c.open(DIR + k, OpenOptions.write().withCreate(CreateMode.MAY)));
            }

            @Override
            public void write(String key, byte[] value) {
                handles.get(key).setContents(value);
            }

            @Override
            public CompletableFuture<Void> writeAsync(String key, byte[] value) {
                return handles.get(key).setContentsAsync(value).thenApply(s -> null);
            }

            /**
             * The client library serves repeated reads from its cache, so uncached reads go over
             * the raw protocol: GetContents on an open handle of a load-generator session.
             */
            @Override
            public synchronized CompletableFuture<byte[]> readAsync(String key) {
                try {
                    if (raw == null) {
                        raw = new RawLoad(ChubbyCell.this::masterRef, 1, login);
                        rawSession = raw.createSession().get();
                        rawSession.keepAliveLoop();
                    }
                    ByteString h = rawHandles.get(key);
                    if (h == null) {
                        h = rawSession.open(DIR + key, 0).get();
                        rawHandles.put(key, h);
                    }
                    return rawSession.read(h).thenApply(r -> r.getGetContents().getContents().toByteArray());
                } catch (Exception e) {
                    return CompletableFuture.failedFuture(e);
                }
            }

            @Override
            public byte[] cachedRead(String key) {
                return handles.get(key).getContentsAndStat().data();
            }

            @Override
            public DistLock lock(String name) {
                Handle h = c.open(DIR + name, OpenOptions.write().withCreate(CreateMode.MAY));
                return new DistLock() {
                    @Override
                    public void acquire() {
                        h.acquire(LockMode.EXCLUSIVE);
                    }

                    @Override
                    public void release() {
                        h.release();
                    }
                };
            }

            @Override
            public void close() {
                if (raw != null) {
                    if (rawSession != null) {
                        rawSession.close();
                    }
                    raw.close();
                }
                c.close();
            }
        };
    }

    @Override
    public SessionPool sessions() throws Exception {
        ensurePrepared();
        if (proxies != null) {
            // through the proxies, the cell serves what the proxies do not: their cache misses and pass-through reads
            return new ChubbySessions(this::masterRef, 2 * proxies.count(), login, proxies.addresses(), this::proxyNote)
                    .countingCellReads(() -> proxies.sum("cache_misses") + proxies.sum("reads_passed"));
        }
        return new ChubbySessions(this::masterRef, 4, login);
    }

    /** User + system CPU seconds of every replica process so far (replicas that do not answer count 0). */
    @Override
    public double cpuSeconds() {
        double sum = 0;
        for (int i = 1; i <= replicas; i++) {
            try {
                sum += Procs.cpuSeconds(ChubbyClient.status("127.0.0.1:" + (basePort + i), Duration.ofSeconds(1),
                        statusSecurity).pid());
            } catch (ChubbyException down) {
                // a replica that does not answer has no CPU to count
            }
        }
        return sum;
    }

    /** The Chubby proxies' CPU (chubby-proxies), NaN without proxies. */
    @Override
    public double frontCpuSeconds() {
        return proxies == null ? Double.NaN : proxies.cpuSeconds();
    }

    @Override
    public String frontProcesses() {
        return proxies == null ? "" : proxies.count() + " proxies";
    }

    @Override
    public long leaderPid() {
        return master().pid();
    }

    /** {@code chubby master transfer}: the master runs {@code paxos:transfer} (admin channel). */
    @Override
    public void transferLeader() {
        ReplicaStatus m = master();
        io.chubby.client.AdminResult r = ChubbyClient.admin(m.address(), "paxos:transfer", Duration.ofSeconds(10),
                statusSecurity);
        if (r.status() != 0) {
            throw new IllegalStateException("paxos:transfer failed in " + m.address() + ": " + r.output());
        }
    }

    /** The replica workload 11 removed last (0: none). */
    private int removed;

    /** {@code paxos:member remove ID} in the master for a follower (the highest id that is not the master). */
    @Override
    public void removeFollower() {
        ReplicaStatus m = master();
        int victim = m.replicaId() == replicas ? replicas - 1 : replicas;
        admin(m, "paxos:member remove " + victim, Duration.ofSeconds(60));
        removed = victim;
    }

    /**
     * Stops the removed replica (SIGTERM), empties its data directory and marks it to join
     * ({@code paxos.join=true} in its {@code io.chubby.paxos.cfg}), then starts it with {@code cell
     * up}: it waits, as a replica with no configuration, to be added.
     */
    @Override
    public void wipeRemoved() throws Exception {
        String address = "127.0.0.1:" + (basePort + removed);
        Procs.term(ChubbyClient.status(address, Duration.ofSeconds(5), statusSecurity).pid());
        Path replicaDir = dir.resolve("replica-" + removed);
        Path data = replicaDir.resolve("data");
        try (var files = Files.walk(data)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!f.equals(data)) {
                    Files.delete(f);
                }
            }
        }
        Path paxos = replicaDir.resolve("etc").resolve("io.chubby.paxos.cfg");
        String cfg = Files.exists(paxos) ? Files.readString(paxos) : "";
        if (!cfg.contains("paxos.join=true")) {
            Files.writeString(paxos, cfg + (cfg.isEmpty() || cfg.endsWith("\n") ? "" : "\n") + "paxos.join=true\n");
        }
        start();
        long end = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                ChubbyClient.status(address, Duration.ofSeconds(1), statusSecurity);
                return;
            } catch (ChubbyException notYet) {
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("replica " + removed + " did not start to join", notYet);
                }
                Procs.sleep(100);
            }
        }
    }

    /** {@code paxos:member add ID PEER CLIENT} in the master: it waits until the replica caught up. */
    @Override
    public void addRemovedBack() {
        admin(master(), "paxos:member add " + removed + " 127.0.0.1:" + (basePort + 100 + removed) + " 127.0.0.1:"
                + (basePort + removed), Duration.ofSeconds(90));
    }

    /**
     * A 3-replica target cell (ports base + 500 + i) whose replicas mirror this cell's
     * {@code /ls/local/bench-mirror} into {@code /ls/local/mirrored} (a factory configuration of PID
     * {@code io.chubby.mirror} dropped into each replica's etc/, as an operator would).
     */
    @Override
    public Mirror startMirror() throws Exception {
        ChubbyCell target = new ChubbyCell(home, dir.resolveSibling(dir.getFileName() + "-mirror-target"), 3,
                basePort + 500, serverOpts);
        target.start();
        String cfg = "mirror.name=bench\nmirror.source.cell=" + cellSpec() + "\nmirror.source.path=/ls/local/bench-mirror"
                + "\nmirror.target.path=/ls/local/mirrored\nmirror.retry.ms=500\n";
        configureMirror(target, cfg);
        ChubbyClient source = ChubbyClient.connect(options());
        source.ensureDirectory("/ls/local/bench-mirror");
        Handle file = source.open("/ls/local/bench-mirror/v", OpenOptions.write().withCreate(CreateMode.MAY));
        ChubbyClient watcher = ChubbyClient.connect(ClientOptions.builder().cell(target.cellSpec()).clientName("bench-mirror")
                .security(target.security).build());
        // A handle held for the whole workload: the watcher makes no call while the source is written
        // (workload 13: 1,000 sequential writes, then the cut), and a session with no handle and no
        // call is ended as idle by the cell after a minute (seen in the full mode at load 17).
        Handle keepsTheSession = watcher.open("/ls/local", OpenOptions.read());
        return new Mirror() {
            @Override
            public void writeAtSource(long seq) {
                file.setContents(Long.toString(seq).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }

            @Override
            public void watchTarget(java.util.function.LongConsumer seen) {
                Thread t = new Thread(() -> {
                    long last = -1;
                    Handle h = null;
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            if (h == null) {
                                if (!watcher.exists("/ls/local/mirrored/v")) {
                                    Procs.sleep(20);
                                    continue;
                                }
                                h = watcher.open("/ls/local/mirrored/v", OpenOptions.read()
                                        .withEvents(java.util.EnumSet.of(io.chubby.api.EventType.CONTENTS_MODIFIED)));
                                Handle opened = h;
                                watcher.addEventListener(e -> {
                                    synchronized (opened) {
                                        opened.notifyAll();
                                    }
                                });
                            }
                            long v = Long.parseLong(new String(h.getContentsAndStat(io.chubby.client.CacheMode.UNCACHED)
                                    .data(), java.nio.charset.StandardCharsets.US_ASCII).strip());
                            if (v != last) {
                                last = v;
                                seen.accept(v);
                                continue; // read again at once: a change may have come meanwhile
                            }
                            synchronized (h) {
                                h.wait(50); // an event wakes it at once; the timeout covers a missed one
                            }
                        } catch (InterruptedException e) {
                            return;
                        } catch (RuntimeException e) {
                            if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
                                return; // closed
                            }
                            h = null; // a failover or an expired handle: open again
                            Procs.sleep(20);
                        }
                    }
                }, "bench-mirror-watch");
                t.setDaemon(true);
                watchThread = t;
                t.start();
            }

            private Thread watchThread;

            @Override
            public void putAtSource(String name, String value) {
                source.write("/ls/local/bench-mirror/" + name, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }

            /** Per name, the stat checksum of the target file when it was last read and found not yet equal. */
            private final java.util.Map<String, Long> readAt = new java.util.concurrent.ConcurrentHashMap<>();

            /**
             * One listing of the target directory (as etcd's one prefix get), then an uncached read of
             * each expected file that is present and changed since it was last read wrong: a poll
             * round costs one call plus the files that changed, not a read of every file.
             */
            @Override
            public java.util.Set<String> missingAtTarget(java.util.Map<String, String> expected) throws Exception {
                java.util.Map<String, Long> listed = new java.util.HashMap<>();
                if (watcher.exists("/ls/local/mirrored")) {
                    for (io.chubby.api.DirEntry d : watcher.list("/ls/local/mirrored")) {
                        listed.put(d.name(), d.stat().checksum());
                    }
                }
                java.util.Set<String> missing = java.util.concurrent.ConcurrentHashMap.newKeySet();
                java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(64);
                java.util.List<java.util.concurrent.CompletableFuture<?>> reads = new java.util.ArrayList<>();
                for (var e : expected.entrySet()) {
                    Long checksum = listed.get(e.getKey());
                    if (checksum == null || checksum.equals(readAt.get(e.getKey()))) {
                        missing.add(e.getKey()); // absent, or as it was when last read wrong
                        continue;
                    }
                    inFlight.acquire();
                    reads.add(watcher.readAsync("/ls/local/mirrored/" + e.getKey(), io.chubby.client.CacheMode.UNCACHED)
                            .handle((data, err) -> {
                                inFlight.release();
                                if (err != null || !e.getValue().equals(new String(data,
                                        java.nio.charset.StandardCharsets.UTF_8))) {
                                    missing.add(e.getKey());
                                    if (err == null) {
                                        readAt.put(e.getKey(), checksum);
                                    }
                                }
                                return null;
                            }));
                }
                java.util.concurrent.CompletableFuture.allOf(reads.toArray(new java.util.concurrent.CompletableFuture[0]))
                        .get(60, java.util.concurrent.TimeUnit.SECONDS);
                return missing;
            }

            @Override
            public void stopMirroring() throws Exception {
                configureMirror(target, null);
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                for (int i = 1; i <= 3; i++) {
                    String a = "127.0.0.1:" + (target.basePort + i);
                    while (!ChubbyClient.admin(a, "mirror:status", Duration.ofSeconds(5), target.statusSecurity).output()
                            .startsWith("no mirrors configured")) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("the mirror in " + a + " did not stop within 30 s");
                        }
                        Procs.sleep(100);
                    }
                }
            }

            @Override
            public void resumeMirroring() throws Exception {
                configureMirror(target, cfg);
            }

            @Override
            public void close() {
                if (watchThread != null) {
                    watchThread.interrupt();
                }
                keepsTheSession.close();
                watcher.close();
                source.close();
                target.close();
            }
        };
    }

    /** Writes (or, for null, removes) the bench mirror's factory configuration on every replica of {@code target}. */
    private static void configureMirror(ChubbyCell target, String cfg) throws java.io.IOException {
        for (int i = 1; i <= 3; i++) {
            Path etc = target.dir.resolve("replica-" + i).resolve("etc");
            if (cfg == null) {
                Files.deleteIfExists(etc.resolve("io.chubby.mirror-bench.cfg"));
                continue;
            }
            Path tmp = etc.resolveSibling(".mirror-bench.cfg.tmp");
            Files.writeString(tmp, cfg);
            Files.move(tmp, etc.resolve("io.chubby.mirror-bench.cfg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void admin(ReplicaStatus m, String command, Duration timeout) {
        String a = m.address() == null || m.address().isEmpty() ? "127.0.0.1:" + (basePort + m.replicaId()) : m.address();
        io.chubby.client.AdminResult r = ChubbyClient.admin(a, command, timeout, statusSecurity);
        if (r.status() != 0) {
            throw new IllegalStateException(command + " failed in " + a + ": " + r.output());
        }
    }

    @Override
    public void restartStopped() throws Exception {
        start(); // cell up starts what is not running (with --tls, reusing the certificates)
    }

    /** What the master and the proxies say at the end of a hold: the master's KeepAlive work is per proxy. */
    private String proxyNote() {
        String ka = master().metrics().getOrDefault("keepalives_per_s", "?");
        return String.format(java.util.Locale.ROOT, "; master: keepalives_per_s=%s (a group call counts once), sessions=%s;"
                        + " proxies: client_sessions=%d, held_keepalives=%d, group_calls=%d, CPU %.0f s so far",
                ka, master().metrics().getOrDefault("sessions", "?"), proxies.sum("client_sessions"),
                proxies.sum("held_keepalives"), proxies.sum("group_calls"), proxies.cpuSeconds());
    }

    @Override
    public void close() {
        if (proxies != null) {
            proxies.close();
        }
        try {
            Procs.run(home, chubby("cell", "down", "--dir", dir.toString()), 120);
        } catch (Exception e) {
            System.err.println("cell down failed: " + e.getMessage());
        }
    }
}
