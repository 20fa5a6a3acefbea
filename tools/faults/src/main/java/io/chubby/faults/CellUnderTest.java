package io.chubby.faults;

import io.chubby.api.PartitionHash;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ReplicaStatus;
import io.chubby.spi.ReplicaConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cell of N replicas (ids 1..N) run as real processes from the distribution, without the CLI,
 * wired so that every peer link goes through its own {@link TcpProxy}: replica i's member list
 * names its own real ports, and for every other replica j the port of the proxy of the directed
 * link i->j (the peer transport binds its own entry and dials the others). With
 * {@code clientProxies}, every replica also gets a proxy in front of its client port, and the
 * member lists (hence the master location the replicas answer) and {@link #clientAddresses()}
 * name the proxies, so client-to-replica links can be cut too. With {@code chubbyProxies}, Chubby
 * proxies (bin/chubby-proxy, real processes) stand in front of the cell and the clients reach
 * the cell only through them; they can be killed, paused and restarted like replicas.
 *
 * <p>Everything is killed by {@link #close()}, and by a JVM shutdown hook if the test JVM ends
 * first. Methods are synchronized: the nemesis thread and the test thread both use the cell.
 */
public final class CellUnderTest implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CellUnderTest.class);
    private static final String HOST = "127.0.0.1";
    /** The partitioning bundle's key (PID io.chubby.partition, ReplicaConfig.PARTITION_PID). */
    static final String PARTITION_COUNT = "partition.count";

    private final int size;
    /** Partitions of the namespace (Paxos groups), 1 = a cell of one group. */
    private final int partitions;
    private final Map<Integer, ServerProcess> replicas = new LinkedHashMap<>();
    private final Map<Integer, Integer> clientPorts = new LinkedHashMap<>();
    private final Map<Integer, Integer> peerPorts = new LinkedHashMap<>();
    /** key i * 1000 + j: the proxy of the directed peer link i->j. */
    private final Map<Integer, TcpProxy> peerProxies = new LinkedHashMap<>();
    private final Map<Integer, TcpProxy> clientProxies = new LinkedHashMap<>();
    /** Chubby proxies (bin/chubby-proxy) by id 1..n, and their client ports. */
    private final Map<Integer, ServerProcess> chubbyProxies = new LinkedHashMap<>();
    private final Map<Integer, Integer> chubbyProxyPorts = new LinkedHashMap<>();
    private final Thread shutdownHook = new Thread(this::destroyAll, "cell-under-test-cleanup");

    /**
     * Writes the instance directories below {@code workDir} and starts the proxies (not the
     * replicas: call {@link #startAll()}).
     *
     * @param distribution  the assembled distribution (with bin/chubby-server)
     * @param extraConfig   further keys for every replica (tuning), each written to etc/<pid>.cfg of
     *                      the PID it belongs to (by prefix, {@link ReplicaConfig#pidOf}); a key of
     *                      no component is an IllegalArgumentException
     * @param jvmOptions    CHUBBY_SERVER_OPTS for every replica (e.g. "-Xmx256m")
     */
    public CellUnderTest(Path distribution, Path workDir, int size, boolean withClientProxies,
                         Map<String, String> extraConfig, String jvmOptions) throws IOException {
        this(distribution, workDir, size, withClientProxies, extraConfig, jvmOptions, 0);
    }

    /**
     * As above, with {@code chubbyProxies} Chubby proxies (bin/chubby-proxy, ids 1..n) in front of
     * the cell: their upstream is {@link #upstreamAddresses()} (through the client TcpProxies when
     * there are any, so cutting clients off the master cuts the proxies off it), and
     * {@link #clientAddresses()} names the proxies, so every client goes through them.
     */
    public CellUnderTest(Path distribution, Path workDir, int size, boolean withClientProxies,
                         Map<String, String> extraConfig, String jvmOptions, int chubbyProxies) throws IOException {
        this(distribution, workDir, size, withClientProxies, extraConfig, jvmOptions, chubbyProxies, 1);
    }

    /**
     * As above, with the namespace split into {@code partitions} Paxos groups (docs/PARTITIONING.md):
     * above 1, every replica gets {@code partition.count=N} in etc/io.chubby.partition.cfg (PID of
     * the distribution's partitioning bundle, which every replica runs) before it first starts, so
     * the count is set before the cell holds data, as {@code chubby cell up --partitions N} does.
     * Wait for the record with {@link #awaitPartitions}.
     */
    public CellUnderTest(Path distribution, Path workDir, int size, boolean withClientProxies,
                         Map<String, String> extraConfig, String jvmOptions, int chubbyProxies, int partitions)
            throws IOException {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, not " + partitions);
        }
        if (!Files.isExecutable(distribution.resolve("bin/chubby-server"))) {
            throw new IOException("no executable bin/chubby-server in " + distribution);
        }
        this.size = size;
        this.partitions = partitions;
        Map<String, String> config = new LinkedHashMap<>(extraConfig);
        if (partitions > 1) {
            config.put(PARTITION_COUNT, Integer.toString(partitions));
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            for (int i = 1; i <= size; i++) {
                clientPorts.put(i, freePort());
                peerPorts.put(i, freePort());
            }
            for (int i = 1; i <= size; i++) {
                if (withClientProxies) {
                    clientProxies.put(i, new TcpProxy("client->" + i, 0, HOST, clientPorts.get(i)));
                }
                for (int j = 1; j <= size; j++) {
                    if (i != j) {
                        peerProxies.put(i * 1000 + j, new TcpProxy(i + "->" + j, 0, HOST, peerPorts.get(j)));
                    }
                }
            }
            for (int i = 1; i <= size; i++) {
                Path dir = workDir.resolve("replica-" + i);
                writeConfig(i, dir, config);
                replicas.put(i, ServerProcess.replica(i, distribution, dir, jvmOptions));
            }
            for (int k = 1; k <= chubbyProxies; k++) {
                int port = freePort();
                chubbyProxyPorts.put(k, port);
                this.chubbyProxies.put(k, ServerProcess.proxy(k, distribution, workDir.resolve("proxy-" + k),
                        upstreamAddresses(), port, jvmOptions));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Writes replica i's configuration: the identity into etc/io.chubby.replica.cfg and each extra
     * key into the file of its component's PID (ReplicaConfig.byPid: paxos.* into
     * etc/io.chubby.paxos.cfg, ...); an extra identity key overrides the generated one.
     */
    private void writeConfig(int i, Path dir, Map<String, String> extra) throws IOException {
        Files.createDirectories(dir.resolve("etc"));
        Files.createDirectories(dir.resolve("data"));
        List<String> members = new ArrayList<>();
        for (int j = 1; j <= size; j++) {
            int client = i == j || clientProxies.isEmpty() ? clientPorts.get(j) : clientProxies.get(j).port();
            int peer = i == j ? peerPorts.get(j) : peerProxies.get(i * 1000 + j).port();
            members.add(j + "@" + HOST + ":" + client + ":" + peer);
        }
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put(ReplicaConfig.CELL_NAME, "local");
        keys.put(ReplicaConfig.REPLICA_ID, Integer.toString(i));
        keys.put(ReplicaConfig.DATA_DIR, dir.resolve("data").toAbsolutePath().toString());
        keys.put(ReplicaConfig.MEMBERS, String.join(",", members));
        keys.putAll(extra);
        for (Map.Entry<String, Map<String, String>> file : ReplicaConfig.byPid(keys).entrySet()) {
            StringBuilder sb = new StringBuilder("# written by io.chubby.faults.CellUnderTest\n");
            file.getValue().forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
            // written beside etc/ and moved in: FileInstall must never see a partial file
            Path tmp = dir.resolve("." + file.getKey() + ".cfg.tmp");
            Files.writeString(tmp, sb.toString());
            Files.move(tmp, dir.resolve("etc").resolve(file.getKey() + ".cfg"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public int size() {
        return size;
    }

    /** Partitions (Paxos groups) the cell was configured with; 1 = one group. */
    public int partitions() {
        return partitions;
    }

    public List<Integer> ids() {
        return List.copyOf(replicas.keySet());
    }

    /**
     * The addresses clients should be given: the Chubby proxies when there are any, else the
     * replicas (through the client TcpProxies when there are any).
     */
    public List<String> clientAddresses() {
        if (!chubbyProxies.isEmpty()) {
            List<String> out = new ArrayList<>();
            chubbyProxyPorts.values().forEach(port -> out.add(HOST + ":" + port));
            return out;
        }
        return upstreamAddresses();
    }

    /** The replicas' client addresses (through the client TcpProxies when there are any). */
    public List<String> upstreamAddresses() {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            out.add(clientAddress(i));
        }
        return out;
    }

    /** Ids of the Chubby proxies (empty without). */
    public List<Integer> proxyIds() {
        return List.copyOf(chubbyProxies.keySet());
    }

    /** Address of Chubby proxy k. */
    public String proxyAddress(int k) {
        return HOST + ":" + chubbyProxyPorts.get(k);
    }

    /** Address a client uses for replica i. */
    public String clientAddress(int i) {
        return HOST + ":" + (clientProxies.isEmpty() ? clientPorts.get(i) : clientProxies.get(i).port());
    }

    /** Address of replica i's own client port (bypasses any client proxy): for status polls. */
    public String directAddress(int i) {
        return HOST + ":" + clientPorts.get(i);
    }

    public Path instanceDir(int i) {
        return replicas.get(i).instanceDir();
    }

    /** The proxy of the directed peer link from -> to. */
    public TcpProxy peerProxy(int from, int to) {
        TcpProxy p = peerProxies.get(from * 1000 + to);
        if (p == null) {
            throw new IllegalArgumentException("no link " + from + "->" + to);
        }
        return p;
    }

    /** The proxy in front of replica i's client port, empty without client proxies. */
    public Optional<TcpProxy> clientProxy(int i) {
        return Optional.ofNullable(clientProxies.get(i));
    }

    /** Starts every replica, then every Chubby proxy (a proxy waits for its cell by itself). */
    public synchronized void startAll() throws IOException {
        for (ServerProcess r : replicas.values()) {
            r.start();
        }
        for (ServerProcess p : chubbyProxies.values()) {
            p.start();
        }
    }

    /**
     * Waits until every Chubby proxy answers Status as a proxy; the ids of those that did not by
     * the deadline.
     */
    public List<Integer> awaitProxies(Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        List<Integer> missing;
        do {
            missing = new ArrayList<>();
            for (int k : chubbyProxies.keySet()) {
                if (proxyStatus(k, Duration.ofSeconds(1)).isEmpty()) {
                    missing.add(k);
                }
            }
            if (missing.isEmpty()) {
                return missing;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < end);
        return missing;
    }

    /** Chubby proxy k's Status when it answers as a proxy within {@code timeout}. */
    public Optional<ReplicaStatus> proxyStatus(int k, Duration timeout) {
        try {
            ReplicaStatus s = ChubbyClient.status(proxyAddress(k), timeout);
            return "proxy".equals(s.role()) ? Optional.of(s) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Starts Chubby proxy k if it is not running (same port and directory as before). */
    public synchronized void startProxy(int k) throws IOException {
        chubbyProxies.get(k).start();
    }

    public synchronized void killProxy(int k) {
        chubbyProxies.get(k).kill();
    }

    public synchronized void pauseProxy(int k) {
        chubbyProxies.get(k).pause();
    }

    public synchronized void resumeProxy(int k) {
        chubbyProxies.get(k).resume();
    }

    public synchronized long proxyPid(int k) {
        return chubbyProxies.get(k).pid();
    }

    /** Starts replica i if it is not running. */
    public synchronized void start(int i) throws IOException {
        replicas.get(i).start();
    }

    public synchronized void kill(int i) {
        replicas.get(i).kill();
    }

    /** SIGTERM: the planned stop of replica i; returns once its process exited. */
    public synchronized void terminate(int i) {
        replicas.get(i).terminate();
    }

    public synchronized void pause(int i) {
        replicas.get(i).pause();
    }

    public synchronized void resume(int i) {
        replicas.get(i).resume();
    }

    public synchronized boolean alive(int i) {
        return replicas.get(i).alive();
    }

    public synchronized long pid(int i) {
        return replicas.get(i).pid();
    }

    /** Every proxy back to pass (closing connections that lost bytes). */
    public synchronized void healNetwork() {
        peerProxies.values().forEach(TcpProxy::pass);
        clientProxies.values().forEach(TcpProxy::pass);
    }

    /** Heals the network, resumes paused replicas and proxies and restarts dead ones. */
    public synchronized void healAll() throws IOException {
        healNetwork();
        for (ServerProcess r : replicas.values()) {
            r.resume();
            r.start();
        }
        for (ServerProcess p : chubbyProxies.values()) {
            p.resume();
            p.start();
        }
    }

    /** Replica i's status, empty when it does not answer within {@code timeout}. */
    public Optional<ReplicaStatus> status(int i, Duration timeout) {
        try {
            return Optional.of(ChubbyClient.status(directAddress(i), timeout));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The statuses of the replicas that answered. */
    public Map<Integer, ReplicaStatus> statuses(Duration timeout) {
        Map<Integer, ReplicaStatus> out = new LinkedHashMap<>();
        for (int i = 1; i <= size; i++) {
            if (alive(i)) {
                int id = i;
                status(i, timeout).ifPresent(s -> out.put(id, s));
            }
        }
        return out;
    }

    /**
     * The replica that says it is master and holds a valid lease (the one with the highest epoch
     * if, transiently, a deposed one still says so), empty if none answers so now.
     */
    public Optional<ReplicaStatus> master(Duration timeout) {
        return master(statuses(timeout).values());
    }

    /** The master among {@code statuses}, as {@link #master(Duration)} picks it. */
    static Optional<ReplicaStatus> master(Collection<ReplicaStatus> statuses) {
        ReplicaStatus best = null;
        for (ReplicaStatus s : statuses) {
            if (s.isMaster() && s.leaseValid() && (best == null || s.epoch() > best.epoch())) {
                best = s;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Waits until a master is found; empty at the deadline. */
    public Optional<ReplicaStatus> awaitMaster(Duration within) throws InterruptedException {
        return firstWithin(within, () -> master(Duration.ofSeconds(1)));
    }

    /** Asks {@code probe} every 200 ms until it finds something; empty once {@code within} has passed. */
    private static <T> Optional<T> firstWithin(Duration within, Supplier<Optional<T>> probe)
            throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        do {
            Optional<T> found = probe.get();
            if (found.isPresent()) {
                return found;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < end);
        return Optional.empty();
    }

    /**
     * The master of Paxos group {@code g} of a partitioned cell: the replica whose Status lists
     * group g as master with a valid lease (the highest epoch if, transiently, a deposed one still
     * says so); empty if none answers so now.
     */
    public Optional<GroupMaster> groupMaster(int g, Duration timeout) {
        return groupMaster(g, statuses(timeout).values());
    }

    /** The master of group {@code g} among {@code statuses}, as {@link #groupMaster(int, Duration)} picks it. */
    static Optional<GroupMaster> groupMaster(int g, Collection<ReplicaStatus> statuses) {
        GroupMaster best = null;
        for (ReplicaStatus s : statuses) {
            for (ReplicaStatus.Group group : s.groups()) {
                if (group.group() == g && "master".equals(group.role()) && group.leaseValid()
                        && (best == null || group.epoch() > best.epoch())) {
                    best = new GroupMaster(g, s.replicaId(), group.epoch());
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** Waits until group {@code g} has a master; empty at the deadline. */
    public Optional<GroupMaster> awaitGroupMaster(int g, Duration within) throws InterruptedException {
        return firstWithin(within, () -> groupMaster(g, Duration.ofSeconds(1)));
    }

    /** The replica mastering one Paxos group, and the group's epoch. */
    public record GroupMaster(int group, int replicaId, long epoch) {
    }

    /**
     * Waits until the cell recorded its partitions (the master's Status metric {@code partitioning}
     * reads {@code N fnv1a64-v1}) and every group 0..N-1 has a master, as {@code chubby cell up
     * --partitions N} does before it returns. Returns empty when so (at once for a cell of one
     * group), else what was seen last at the deadline. One round of Status per poll.
     */
    public Optional<String> awaitPartitions(Duration within) throws InterruptedException {
        if (partitions == 1) {
            return Optional.empty();
        }
        String wanted = partitions + " " + PartitionHash.NAME;
        long end = System.nanoTime() + within.toNanos();
        String last = "no master answered";
        do {
            Collection<ReplicaStatus> seen = statuses(Duration.ofSeconds(1)).values();
            Optional<ReplicaStatus> m = master(seen);
            if (m.isPresent()) {
                String metric = m.get().metrics().getOrDefault("partitioning", "absent");
                List<Integer> without = new ArrayList<>();
                for (int g = 0; g < partitions; g++) {
                    if (groupMaster(g, seen).isEmpty()) {
                        without.add(g);
                    }
                }
                last = "master " + m.get().replicaId() + " partitioning=" + metric + ", groups without a master "
                        + without;
                if (metric.equals(wanted) && without.isEmpty()) {
                    return Optional.empty();
                }
            }
            Thread.sleep(250);
        } while (System.nanoTime() < end);
        return Optional.of(last);
    }

    /**
     * Waits until every replica answers with the same applied index and checksum, for every Paxos
     * group in a partitioned cell. Returns the last statuses seen, and whether they converged.
     */
    public Convergence awaitConvergence(Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        Map<Integer, ReplicaStatus> last;
        do {
            last = statuses(Duration.ofSeconds(1));
            if (last.size() == size && last.values().stream().map(CellUnderTest::appliedState)
                    .distinct().count() == 1 && allGroupsOpen(last.values())) {
                return new Convergence(true, last);
            }
            Thread.sleep(300);
        } while (System.nanoTime() < end);
        return new Convergence(false, last);
    }

    /** Result of {@link #awaitConvergence}. */
    public record Convergence(boolean converged, Map<Integer, ReplicaStatus> statuses) {
        public String describe() {
            StringBuilder sb = new StringBuilder();
            statuses.forEach((id, s) -> sb.append(" r").append(id).append("{role=").append(s.role())
                    .append(" epoch=").append(s.epoch()).append(" commit=").append(s.commitIndex())
                    .append(" applied=").append(s.appliedIndex()).append(" checksum=")
                    .append(Long.toHexString(s.checksum())).append(groupStates(s)).append('}'));
            return sb.toString().trim();
        }
    }

    /** Applied index and checksum of the replica and of each of its groups, comparable across replicas. */
    static String appliedState(ReplicaStatus s) {
        return s.appliedIndex() + "/" + s.checksum() + groupStates(s);
    }

    private static String groupStates(ReplicaStatus s) {
        StringBuilder sb = new StringBuilder();
        s.groups().stream().sorted(java.util.Comparator.comparingInt(ReplicaStatus.Group::group))
                .forEach(g -> sb.append(" g").append(g.group()).append('=').append(g.appliedIndex()).append('/')
                        .append(Long.toHexString(g.checksum())));
        return sb.toString();
    }

    private boolean allGroupsOpen(Collection<ReplicaStatus> statuses) {
        return partitions == 1 || statuses.stream().allMatch(s -> s.groups().size() == partitions);
    }

    /** Kills every replica and closes every proxy. Idempotent. */
    @Override
    public void close() {
        destroyAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down: the hook runs anyway
        }
    }

    private synchronized void destroyAll() {
        for (ServerProcess p : chubbyProxies.values()) {
            try {
                p.kill();
            } catch (RuntimeException e) {
                log.warn("kill failed proxy={} error={}", p.id(), e.toString());
            }
        }
        for (ServerProcess r : replicas.values()) {
            try {
                r.kill();
            } catch (RuntimeException e) {
                log.warn("kill failed id={} error={}", r.id(), e.toString());
            }
        }
        peerProxies.values().forEach(TcpProxy::close);
        clientProxies.values().forEach(TcpProxy::close);
    }

    /**
     * A port free right now on 127.0.0.1, chosen below the kernel's ephemeral range (32768+ by
     * default): ports from that range are handed to outgoing connections (the replicas' peer
     * links, clients) between our check and the replica's bind, which made a replica fail to start.
     * A port is never handed out twice by one JVM: the check releases it at once, so two calls could
     * otherwise pick the same free port (seen: replica 4's client port was replica 2's peer port).
     */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static int freePort() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 10_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(10_000);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port in 10000-19999 on 127.0.0.1"));
    }
}
