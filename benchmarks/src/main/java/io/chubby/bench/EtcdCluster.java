package io.chubby.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An etcd 3.4 cluster (Debian's etcd-server) of real processes on loopback with etcd's default
 * settings (heartbeat 100 ms, election timeout 1000 ms, fsync on), driven through jetcd.
 *
 * <p>Secured ({@code etcd-secure}): client and peer URLs are https with mutual TLS
 * ({@code --client-cert-auth}, {@code --peer-client-cert-auth}; certificates from {@link Certs}),
 * and authentication is on: a {@code root} user, and a {@code bench} user whose role {@code bench}
 * grants readwrite on the key prefix {@code bench} (every key the workloads touch, lock keys
 * included). Tokens are JWT signed with RS256 (etcd's documentation recommends JWT for production:
 * its default "simple" tokens are stateful per member and not meant for it; a token lives 60 min,
 * longer than one system's run, so no client re-authenticates in the middle); the system property
 * {@code bench.etcd.token=simple} selects those instead. jetcd connects with TLS (client
 * certificate CN {@code bench}) and user + password, so every request carries the token etcd checks.
 *
 * <p>Through proxies ({@code etcd-proxies}, plaintext only): {@link #throughProxies} puts N
 * {@code etcd grpc-proxy} processes ({@link EtcdProxies}) in front of the members; every client and
 * session pool of the workloads then connects to the proxies only (a pool's jetcd clients spread
 * over them, two each), and the members' own {@code /metrics} tell what reached the cluster.
 */
final class EtcdCluster implements SystemUnderTest {
    static final String USER = "bench";
    static final String PASSWORD = "bench-password";
    private static final String ROOT_PASSWORD = "root-password";

    private final Path dir;
    private final int size;
    private final int basePort;
    private final boolean secure;
    private final Process[] procs;
    private Certs certs;
    /** grpc-proxies every client of this system goes through, or null. */
    private EtcdProxies proxies;
    /** How workload 9 reads: serializable (a member or a proxy's cache answers) or linearizable. */
    private boolean serializableReads;

    /** What the members' {@code /metrics} say, summed over the {@code answered} members that answered. */
    record MemberCounters(int answered, long keepAlivesReceived, long leasesRenewed, long leasesExpired, long ranges) {
    }

    EtcdCluster(Path dir, int size, int basePort) {
        this(dir, size, basePort, false);
    }

    EtcdCluster(Path dir, int size, int basePort, boolean secure) {
        this.dir = dir;
        this.size = size;
        this.basePort = basePort;
        this.secure = secure;
        this.procs = new Process[size + 1];
    }

    /**
     * Puts {@code n} grpc-proxies (ports {@code basePort+400+k}) in front of the members; the system
     * is called etcd-proxies. Before start().
     */
    EtcdCluster throughProxies(int n) {
        if (secure) {
            throw new IllegalArgumentException("grpc-proxies in front of a secured cluster are not benchmarked");
        }
        proxies = new EtcdProxies(dir, basePort + 400, n);
        return this;
    }

    /** Workload 9's reads from now on: serializable ({@code true}) or linearizable. */
    EtcdCluster serializableReads(boolean serializable) {
        this.serializableReads = serializable;
        return this;
    }

    @Override
    public String name() {
        return secure ? "etcd-secure" : proxies != null ? "etcd-proxies" : "etcd";
    }

    private String clientUrl(int i) {
        return (secure ? "https" : "http") + "://127.0.0.1:" + (basePort + i);
    }

    private String peerUrl(int i) {
        return (secure ? "https" : "http") + "://127.0.0.1:" + (basePort + 100 + i);
    }

    private static boolean jwt() {
        return !"simple".equals(System.getProperty("bench.etcd.token"));
    }

    /**
     * A jetcd client of all members: with TLS and the bench user when secured, already logged in.
     * jetcd authenticates lazily, once per call that finds no token, so a burst of calls on a new
     * client (1,000 writes in flight) starts 1,000 Authenticate calls (bcrypt on the server, and in
     * etcd 3.4 through raft), most of which fail as UNAUTHENTICATED; one call first gets the token
     * that every later call carries, as a long-running application's client has.
     */
    Client client() {
        Client c = client(true, proxies == null ? endpoints() : proxies.urls().toArray(String[]::new));
        if (secure) {
            try {
                c.getKVClient().get(ByteSequence.from("bench-login", StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                c.close();
                throw new IllegalStateException("etcd login as " + USER + " failed", e);
            }
        }
        return c;
    }

    /**
     * {@code login}: authenticate as the bench user (etcd refuses Authenticate while auth is not
     * enabled, so the leader check does without: Status needs no user).
     */
    private Client client(boolean login, String... endpoints) {
        io.etcd.jetcd.ClientBuilder b = Client.builder().endpoints(endpoints);
        if (secure) {
            try {
                b.authority("127.0.0.1").sslContext(s -> s.trustManager(certs.ca().toFile())
                        .keyManager(certs.cert(USER).toFile(), certs.key(USER).toFile()));
            } catch (javax.net.ssl.SSLException e) {
                throw new IllegalStateException("cannot build the TLS context of the etcd client", e);
            }
            if (login) {
                b.user(ByteSequence.from(USER, StandardCharsets.UTF_8)).password(ByteSequence.from(PASSWORD, StandardCharsets.UTF_8));
            }
        }
        return b.build();
    }

    /** etcdctl against all members, as root when secured (its client certificate, CN root, and password). */
    private String etcdctl(String... args) throws Exception {
        return etcdctlAt(endpointList(), args);
    }

    /** etcdctl against {@code endpoints} (comma-separated client URLs). */
    private String etcdctlAt(String endpoints, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoints));
        if (secure) {
            cmd.addAll(List.of("--cacert", certs.ca().toString(), "--cert", certs.cert("root").toString(), "--key",
                    certs.key("root").toString()));
        }
        cmd.addAll(List.of(args));
        return Procs.run(dir, cmd, 60, java.util.Map.of("ETCDCTL_API", "3"));
    }

    /** The client endpoints, comma-separated (etcdctl's --endpoints). */
    String endpointList() {
        return String.join(",", endpoints());
    }

    private String[] endpoints() {
        String[] e = new String[size];
        for (int i = 1; i <= size; i++) {
            e[i - 1] = clientUrl(i);
        }
        return e;
    }

    @Override
    public void start() throws Exception {
        Files.createDirectories(dir);
        if (secure) {
            certs = Certs.authority(dir.resolve("tls"));
            for (int i = 1; i <= size; i++) {
                certs.issue("e" + i, "e" + i);
            }
            certs.issue("root", "root").issue(USER, USER);
            if (jwt()) {
                Procs.run(dir, List.of("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
                        dir.resolve("tls/jwt.key").toString()), 60);
                Procs.run(dir, List.of("openssl", "pkey", "-in", dir.resolve("tls/jwt.key").toString(), "-pubout", "-out",
                        dir.resolve("tls/jwt.pub").toString()), 60);
            }
        }
        for (int i = 1; i <= size; i++) {
            Files.createDirectories(dir.resolve("e" + i));
            startOne(i, "new");
        }
        waitForLeader(60_000);
        if (secure) {
            enableAuth();
        }
        if (proxies != null) {
            proxies.start(String.join(",", java.util.Arrays.stream(endpoints()).map(u -> u.substring("http://".length()))
                    .toList()));
        }
    }

    /** Users, the bench role (readwrite on the prefix "bench") and {@code auth enable}, with etcdctl. */
    private void enableAuth() throws Exception {
        etcdctl("user", "add", "root", "--new-user-password", ROOT_PASSWORD);
        etcdctl("role", "add", "root"); // auth enable needs root to hold the role root (etcdctl would add it)
        etcdctl("user", "grant-role", "root", "root");
        etcdctl("role", "add", USER);
        etcdctl("role", "grant-permission", USER, "--prefix=true", "readwrite", "bench");
        etcdctl("user", "add", USER, "--new-user-password", PASSWORD);
        etcdctl("user", "grant-role", USER, USER);
        etcdctl("auth", "enable");
        // a check that the bench user can write its keys and nothing else
        try (Client c = client()) {
            c.getKVClient().put(ByteSequence.from("bench-auth-check", StandardCharsets.UTF_8),
                    ByteSequence.from("x", StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
            try {
                c.getKVClient().put(ByteSequence.from("other-key", StandardCharsets.UTF_8),
                        ByteSequence.from("x", StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
                throw new IllegalStateException("etcd auth is not enforced: the bench user wrote outside its prefix");
            } catch (java.util.concurrent.ExecutionException denied) {
                if (!String.valueOf(denied.getCause()).contains("permission denied")) {
                    throw denied;
                }
            }
        }
    }

    private void startOne(int i, String state) throws Exception {
        List<String> cluster = new ArrayList<>();
        for (int j = 1; j <= size; j++) {
            cluster.add("e" + j + "=" + peerUrl(j));
        }
        Path d = dir.resolve("e" + i);
        List<String> cmd = new ArrayList<>(List.of("etcd", "--name", "e" + i, "--data-dir", d.resolve("data").toString(),
                "--listen-client-urls", clientUrl(i), "--advertise-client-urls", clientUrl(i),
                "--listen-peer-urls", peerUrl(i), "--initial-advertise-peer-urls", peerUrl(i),
                "--initial-cluster", String.join(",", cluster), "--initial-cluster-state", state,
                "--initial-cluster-token", "bench"));
        if (secure) {
            String me = "e" + i;
            if (jwt()) {
                cmd.addAll(List.of("--auth-token", "jwt,pub-key=" + dir.resolve("tls/jwt.pub") + ",priv-key="
                        + dir.resolve("tls/jwt.key") + ",sign-method=RS256,ttl=60m"));
            }
            cmd.addAll(List.of("--cert-file", certs.cert(me).toString(), "--key-file", certs.key(me).toString(),
                    "--trusted-ca-file", certs.ca().toString(), "--client-cert-auth",
                    "--peer-cert-file", certs.cert(me).toString(), "--peer-key-file", certs.key(me).toString(),
                    "--peer-trusted-ca-file", certs.ca().toString(), "--peer-client-cert-auth"));
        }
        procs[i] = Procs.spawn(d, cmd, d.resolve("console.log"));
    }

    private int leaderIndex() {
        try (Client c = client(false, endpoints())) {
            for (int i = 1; i <= size; i++) {
                if (procs[i] == null || !procs[i].isAlive()) {
                    continue;
                }
                try {
                    StatusResponse s = c.getMaintenanceClient().statusMember(clientUrl(i)).get(1, TimeUnit.SECONDS);
                    if (s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId()) {
                        return i;
                    }
                } catch (Exception down) {
                    // not answering: not the leader
                }
            }
        }
        return 0;
    }

    private void waitForLeader(long ms) {
        long end = System.currentTimeMillis() + ms;
        while (leaderIndex() == 0) {
            if (System.currentTimeMillis() > end) {
                throw new IllegalStateException("etcd elected no leader in " + ms + " ms");
            }
            Procs.sleep(200);
        }
    }

    @Override
    public KvClient newClient() {
        Client c = client();
        return new KvClient() {
            @Override
            public void prepare(String key) {
            }

            @Override
            public void write(String key, byte[] value) throws Exception {
                writeAsync(key, value).get(20, TimeUnit.SECONDS);
            }

            @Override
            public CompletableFuture<Void> writeAsync(String key, byte[] value) {
                return c.getKVClient().put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value))
                        .thenApply(r -> null);
            }

            @Override
            public CompletableFuture<byte[]> readAsync(String key) {
                return c.getKVClient().get(ByteSequence.from(key, StandardCharsets.UTF_8))
                        .thenApply(r -> r.getKvs().isEmpty() ? new byte[0] : r.getKvs().get(0).getValue().getBytes());
            }

            @Override
            public DistLock lock(String name) throws Exception {
                // etcd's lock belongs to a lease (its "session"): granted once, kept alive while the client lives
                long lease = c.getLeaseClient().grant(15).get(20, TimeUnit.SECONDS).getID();
                keepAlives.add(c.getLeaseClient().keepAlive(lease, new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(io.etcd.jetcd.lease.LeaseKeepAliveResponse r) {
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                }));
                ByteSequence lockName = ByteSequence.from("bench-locks/" + name, StandardCharsets.UTF_8);
                return new DistLock() {
                    private ByteSequence key;

                    @Override
                    public void acquire() throws Exception {
                        key = c.getLockClient().lock(lockName, lease).get(60, TimeUnit.SECONDS).getKey();
                    }

                    @Override
                    public void release() throws Exception {
                        c.getLockClient().unlock(key).get(60, TimeUnit.SECONDS);
                    }
                };
            }

            private final List<io.etcd.jetcd.support.CloseableClient> keepAlives = new java.util.concurrent.CopyOnWriteArrayList<>();

            @Override
            public void close() {
                keepAlives.forEach(io.etcd.jetcd.support.CloseableClient::close);
                c.close();
            }
        };
    }

    @Override
    public SessionPool sessions() {
        if (secure) {
            return new EtcdSessions(this::client, 4);
        }
        if (proxies == null) {
            return new EtcdSessions(this::client, 4, serializableReads, this::memberCounters, () -> "");
        }
        // client i connects to proxy i mod n only, as chubby-proxies spreads its connections (2 per proxy)
        AtomicInteger next = new AtomicInteger();
        return new EtcdSessions(() -> client(true, proxies.urls().get(next.getAndIncrement() % proxies.count())),
                2 * proxies.count(), serializableReads, this::memberCounters,
                () -> String.format(java.util.Locale.ROOT, "; %d grpc-proxies, CPU %.0f s so far", proxies.count(),
                        proxies.cpuSeconds()));
    }

    /**
     * The members' counters (plaintext only): LeaseKeepAlive stream messages received
     * ({@code grpc_server_msg_received_total}), leases renewed ({@code etcd_debugging_lease_renewed_total},
     * counted where the renewal is done, the leader), leases the leader revoked because they expired
     * ({@code etcd_debugging_server_lease_expired_total}) and Range calls handled
     * ({@code grpc_server_handled_total}). A member that does not answer counts 0.
     */
    MemberCounters memberCounters() {
        int answered = 0;
        long ka = 0;
        long renewed = 0;
        long expired = 0;
        long ranges = 0;
        for (int i = 1; i <= size; i++) {
            if (procs[i] == null || !procs[i].isAlive()) {
                continue;
            }
            try {
                PromText m = PromText.fetch(clientUrl(i) + "/metrics");
                ka += (long) m.sum("grpc_server_msg_received_total", java.util.Map.of("grpc_method", "LeaseKeepAlive"));
                renewed += (long) m.sum("etcd_debugging_lease_renewed_total", java.util.Map.of());
                expired += (long) m.sum("etcd_debugging_server_lease_expired_total", java.util.Map.of());
                answered++;
                ranges += (long) m.sum("grpc_server_handled_total", java.util.Map.of("grpc_method", "Range"));
            } catch (java.io.IOException down) {
                // a member that does not answer has nothing to count
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new MemberCounters(answered, ka, renewed, expired, ranges);
    }

    /** The members' CPU (grpc-proxies are counted apart, {@link #frontCpuSeconds()}). */
    @Override
    public double cpuSeconds() {
        return Procs.cpuSeconds(procs, 1, size);
    }

    @Override
    public double frontCpuSeconds() {
        return proxies == null ? Double.NaN : proxies.cpuSeconds();
    }

    @Override
    public String frontProcesses() {
        return proxies == null ? "" : proxies.count() + " grpc-proxies";
    }

    @Override
    public long leaderPid() {
        int i = leaderIndex();
        if (i == 0) {
            throw new IllegalStateException("no etcd leader");
        }
        return procs[i].pid();
    }

    /** {@code etcdctl move-leader} to the next member after the leader. */
    @Override
    public void transferLeader() throws Exception {
        int leader = leaderIndex();
        if (leader == 0) {
            throw new IllegalStateException("no etcd leader");
        }
        int target = leader % size + 1;
        long id;
        try (Client c = client(false, endpoints())) {
            id = c.getMaintenanceClient().statusMember(clientUrl(target)).get(5, TimeUnit.SECONDS).getHeader()
                    .getMemberId();
        }
        etcdctl("move-leader", Long.toHexString(id));
    }

    /**
     * A 3-member target cluster (ports base + 500 + i) fed by {@code etcdctl make-mirror} of the
     * key prefix {@code bench-mirror} (etcd's own mirroring tool: a watch on the source replayed as
     * puts on the target), plaintext only.
     */
    @Override
    public Mirror startMirror() throws Exception {
        if (secure || proxies != null) {
            throw new UnsupportedOperationException(name() + ": mirroring is benchmarked on the plain cluster");
        }
        EtcdCluster target = new EtcdCluster(dir.resolveSibling(dir.getFileName() + "-mirror-target"), 3, basePort + 500);
        target.start();
        List<String> makeMirror = List.of("etcdctl", "--endpoints", endpointList(), "make-mirror", "--prefix",
                "bench-mirror", target.clientUrl(1));
        Process[] mirror = {Procs.spawn(dir, makeMirror, dir.resolve("make-mirror.log"), java.util.Map.of("ETCDCTL_API", "3"))};
        Client source = client();
        Client watcher = target.client();
        ByteSequence key = ByteSequence.from("bench-mirror/v", StandardCharsets.UTF_8);
        java.util.List<AutoCloseable> watches = new java.util.concurrent.CopyOnWriteArrayList<>();
        return new Mirror() {
            @Override
            public void writeAtSource(long seq) throws Exception {
                source.getKVClient().put(key, ByteSequence.from(Long.toString(seq), StandardCharsets.US_ASCII))
                        .get(30, TimeUnit.SECONDS);
            }

            @Override
            public void watchTarget(java.util.function.LongConsumer seen) {
                // from the target's first revision: a watch registers asynchronously, and a value
                // mirrored before it was in place would otherwise be missed
                watches.add(watcher.getWatchClient().watch(key,
                        io.etcd.jetcd.options.WatchOption.builder().withRevision(1).build(), resp -> {
                    for (io.etcd.jetcd.watch.WatchEvent e : resp.getEvents()) {
                        if (e.getEventType() == io.etcd.jetcd.watch.WatchEvent.EventType.PUT) {
                            seen.accept(Long.parseLong(e.getKeyValue().getValue().toString(StandardCharsets.US_ASCII)));
                        }
                    }
                }));
            }

            @Override
            public void putAtSource(String name, String value) throws Exception {
                source.getKVClient().put(ByteSequence.from("bench-mirror/" + name, StandardCharsets.UTF_8),
                        ByteSequence.from(value, StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
            }

            @Override
            public java.util.Set<String> missingAtTarget(java.util.Map<String, String> expected) throws Exception {
                ByteSequence prefix = ByteSequence.from("bench-mirror/", StandardCharsets.UTF_8);
                java.util.Map<String, String> shown = new java.util.HashMap<>();
                for (io.etcd.jetcd.KeyValue kv : watcher.getKVClient().get(prefix,
                        io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build()).get(30, TimeUnit.SECONDS).getKvs()) {
                    shown.put(kv.getKey().toString(StandardCharsets.UTF_8).substring("bench-mirror/".length()),
                            kv.getValue().toString(StandardCharsets.UTF_8));
                }
                java.util.Set<String> missing = new java.util.HashSet<>();
                expected.forEach((k, v) -> {
                    if (!v.equals(shown.get(k))) {
                        missing.add(k);
                    }
                });
                return missing;
            }

            @Override
            public void stopMirroring() throws Exception {
                mirror[0].destroy();
                if (!mirror[0].waitFor(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("etcdctl make-mirror did not stop within 30 s");
                }
            }

            @Override
            public void resumeMirroring() throws Exception {
                mirror[0] = Procs.spawn(dir, makeMirror, dir.resolve("make-mirror-2.log"),
                        java.util.Map.of("ETCDCTL_API", "3"));
            }

            @Override
            public void close() {
                for (AutoCloseable w : watches) {
                    try {
                        w.close();
                    } catch (Exception ignored) {
                        // closing a watch of a run that ends
                    }
                }
                mirror[0].destroy();
                watcher.close();
                source.close();
                target.close();
            }
        };
    }

    /** The member workload 11 removed last (0: none). */
    private int removed;

    /** {@code etcdctl member remove} of a follower (the highest index that is not the leader). */
    @Override
    public void removeFollower() throws Exception {
        int leader = leaderIndex();
        if (leader == 0) {
            throw new IllegalStateException("no etcd leader");
        }
        int victim = leader == size ? size - 1 : size;
        String id = Long.toHexString(memberId(victim));
        // etcd refuses a change ("unhealthy cluster", strict reconfig check) until every member has
        // been connected to the leader for 5 s; such a refusal changes nothing: ask again.
        // asked of the other members only: the member removed stops at once, and a call it was
        // serving ends "server stopped" although the removal went through
        String others = String.join(",", java.util.Arrays.stream(endpoints())
                .filter(u -> !u.equals(clientUrl(victim))).toList());
        retryWhileUnhealthy(() -> etcdctlAt(others, "member", "remove", id));
        removed = victim;
    }

    private void retryWhileUnhealthy(Workloads.Action a) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                a.run();
                return;
            } catch (java.io.IOException e) {
                if (!String.valueOf(e.getMessage()).contains("unhealthy cluster") || System.nanoTime() > end) {
                    throw e;
                }
                Procs.sleep(200);
            }
        }
    }

    private long memberId(int i) throws Exception {
        try (Client c = client(false, endpoints())) {
            return c.getMaintenanceClient().statusMember(clientUrl(i)).get(5, TimeUnit.SECONDS).getHeader().getMemberId();
        }
    }

    /** Stops the removed member (etcd stops it itself once removed) and deletes its data directory. */
    @Override
    public void wipeRemoved() throws Exception {
        Process p = procs[removed];
        if (p != null && p.isAlive()) {
            Procs.term(p.pid());
        }
        Path data = dir.resolve("e" + removed).resolve("data");
        if (Files.exists(data)) {
            try (var files = Files.walk(data)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    /** {@code etcdctl member add} and the member started with {@code --initial-cluster-state existing}. */
    @Override
    public void addRemovedBack() throws Exception {
        retryWhileUnhealthy(() -> etcdctl("member", "add", "e" + removed, "--peer-urls=" + peerUrl(removed)));
        startOne(removed, "existing");
    }

    @Override
    public void restartStopped() throws Exception {
        for (int i = 1; i <= size; i++) {
            if (procs[i] == null || !procs[i].isAlive()) {
                startOne(i, "existing");
            }
        }
        waitForLeader(60_000);
    }

    @Override
    public void close() {
        if (proxies != null) {
            proxies.close();
        }
        Procs.stopAll(procs);
    }
}
