package io.chubby.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A local cell of real replica processes driven through the assembled distribution's
 * {@code bin/chubby} (target/chubby): cell up/down/status and file commands. Every command is
 * bounded by a timeout; {@link #destroy()} stops whatever is left with SIGKILL, by pid (pid files
 * and processes whose command line names this cell's directory). Used by one test thread.
 *
 * <p>A cell on other hosts ({@link #LocalCell(int, IntFunction)}: replica i at {@code host(i)}, e.g.
 * in its own network namespace) is not made by {@code cell up}: each replica is started by
 * {@link #start} from its own {@code replica.properties} ({@code chubby-server --config}), behind a
 * command prefix such as {@code ip netns exec NS}, and its status is asked at those addresses.
 *
 * <p>Membership changes (issue 19): the cell's members start as 1..replicas; {@link #startJoining}
 * starts a further replica (id up to the {@code maxId} given at construction) from its own
 * {@code replica.properties} with {@code paxos.join=true} and the members plus itself, and
 * {@link #added} / {@link #removed} record what {@code chubby member add|remove} changed, so that
 * {@link #cellSpec}, {@link #status} and {@link #converged} follow the members. {@link #move} gives a
 * replica the second port range (client {@code P+20+i}, peer {@code P+120+i}) before it is started again.
 */
final class LocalCell {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
    private static final String LOOPBACK = "127.0.0.1";
    /** Ports of a moved replica: client P+20+i, peer P+120+i. */
    private static final int MOVED_SHIFT = 20;

    /** Result of one bin/chubby run. */
    record Run(List<String> command, int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Path dist;
    private final Path dir;
    /** Extra environment of every bin/chubby run (e.g. the CHUBBY_TLS_* lines of a TLS cell). */
    final Map<String, String> env = new HashMap<>();
    /**
     * Replica id -> the client port every member list names for it instead of its own (a proxy in
     * front of it, so the master location the replicas answer leads clients through the proxy);
     * such a replica started by {@link #start} listens on its own port ({@code transport.client.port}).
     */
    final Map<Integer, Integer> advertisedClientPorts = new HashMap<>();
    private final int replicas;
    private final int basePort;
    /** Replica id -> its host address; loopback for a cell made by {@code cell up}. */
    private final IntFunction<String> hosts;
    /** The highest replica id this cell may ever have (ports for 1..maxId were free at construction). */
    private final int maxId;
    /** The cell's members as the test changed them (1..replicas until {@link #added} / {@link #removed}). */
    private final SortedSet<Integer> members = new TreeSet<>();
    /** Replicas given the second port range by {@link #move}. */
    private final Set<Integer> moved = new HashSet<>();

    LocalCell(int replicas) {
        this(replicas, replicas);
    }

    /** A loopback cell of {@code replicas} that may grow to replica ids up to {@code maxId} ({@link #startJoining}). */
    LocalCell(int replicas, int maxId) {
        this(replicas, maxId, id -> LOOPBACK);
    }

    /** A cell whose replica i listens on {@code hosts.apply(i)}; its replicas are started by {@link #start}. */
    LocalCell(int replicas, IntFunction<String> hosts) {
        this(replicas, replicas, hosts);
    }

    /** A loopback cell of {@code replicas} run by another distribution's scripts (e.g. one made by {@code dist assemble}). */
    LocalCell(Path dist, int replicas) {
        this(dist, replicas, replicas, id -> LOOPBACK);
    }

    private LocalCell(int replicas, int maxId, IntFunction<String> hosts) {
        this(ExamOptions.dist(), replicas, maxId, hosts);
    }

    private LocalCell(Path dist, int replicas, int maxId, IntFunction<String> hosts) {
        this.dist = dist;
        this.dir = ExamOptions.tempDir("cell");
        this.replicas = replicas;
        this.maxId = maxId;
        this.basePort = freeBasePort(replicas, maxId);
        this.hosts = hosts;
        for (int i = 1; i <= replicas; i++) {
            members.add(i);
        }
    }

    /** {@code cell status --dir} knows the replicas {@code cell up} made: only while those are the members. */
    private boolean onLoopbackAsMadeByCellUp() {
        for (int i = 1; i <= replicas; i++) {
            if (!LOOPBACK.equals(hosts.apply(i))) {
                return false;
            }
        }
        return moved.isEmpty() && members.equals(new TreeSet<>(IntStream.rangeClosed(1, replicas).boxed().toList()));
    }

    /** The distribution this cell runs (its bin/chubby). */
    Path dist() {
        return dist;
    }

    Path dir() {
        return dir;
    }

    int replicas() {
        return replicas;
    }

    int basePort() {
        return basePort;
    }

    /** The current members' ids, ascending. */
    List<Integer> members() {
        return List.copyOf(members);
    }

    String clientAddress(int id) {
        return hosts.apply(id) + ":" + (basePort + portShift(id) + id);
    }

    String peerAddress(int id) {
        return hosts.apply(id) + ":" + (basePort + portShift(id) + 100 + id);
    }

    /** Replica {@code id}'s client address once {@link #move}d (the second port range), known beforehand. */
    String movedClientAddress(int id) {
        return hosts.apply(id) + ":" + (basePort + MOVED_SHIFT + id);
    }

    private int portShift(int id) {
        return moved.contains(id) ? MOVED_SHIFT : 0;
    }

    /** The {@code members} value every replica is given: {@code id@host:clientPort:peerPort,...}. */
    String membersValue() {
        return membersValue(members);
    }

    private String membersValue(Set<Integer> ids) {
        List<String> m = new ArrayList<>();
        for (int i : ids) {
            int shift = portShift(i);
            m.add(i + "@" + hosts.apply(i) + ":" + advertisedClientPorts.getOrDefault(i, basePort + shift + i) + ":"
                    + (basePort + shift + 100 + i));
        }
        return String.join(",", m);
    }

    /**
     * Starts replica {@code id} as {@code prefix... bin/chubby-server --config DIR/replica-<id>/replica.properties}
     * (written here: cell name, id, {@link #membersValue}, data dir), detached, its pid recorded in
     * {@code DIR/replica-<id>/pid}; the prefix must exec the server in place (as {@code ip netns exec} does).
     */
    long start(int id, List<String> prefix) {
        return start(id, prefix, membersValue(), "");
    }

    /**
     * Starts replica {@code id} (not a member yet, at most {@code maxId}) to join the running cell, as
     * an operator would before {@code chubby member add}: its {@code replica.properties} names the
     * members plus itself and sets {@code paxos.join=true}, so with its empty data directory it
     * waits, without campaigning, until the master adds it. Its instance is {@code DIR/replica-<id>}.
     */
    long startJoining(int id) {
        return startJoining(id, List.of());
    }

    /** As {@link #startJoining(int)}, behind a command prefix such as {@code ip netns exec NS} (its host). */
    long startJoining(int id, List<String> prefix) {
        if (id < 1 || id > maxId || members.contains(id)) {
            throw new IllegalArgumentException("replica " + id + " cannot join: members " + members + ", max id " + maxId);
        }
        SortedSet<Integer> withIt = new TreeSet<>(members);
        withIt.add(id);
        return start(id, prefix, membersValue(withIt), "paxos.join=true\n");
    }

    /** Records that {@code chubby member add} made {@code id} a member. */
    void added(int id) {
        members.add(id);
    }

    /** Records that {@code chubby member remove} took {@code id} out of the members. */
    void removed(int id) {
        members.remove(id);
    }

    /** Gives replica {@code id} (not a member, not running) the second port range for its next start. */
    void move(int id) {
        if (members.contains(id)) {
            throw new IllegalStateException("replica " + id + " is a member: remove it before it moves");
        }
        moved.add(id);
    }

    private long start(int id, List<String> prefix, String membersValue, String moreProperties) {
        Path instance = dir.resolve("replica-" + id);
        Path config = instance.resolve("replica.properties");
        try {
            Files.createDirectories(instance);
            String listen = advertisedClientPorts.containsKey(id) ? "transport.client.host=" + hosts.apply(id)
                    + "\ntransport.client.port=" + (basePort + portShift(id) + id) + "\n" : "";
            Files.writeString(config, "cell.name=local\nreplica.id=" + id + "\nmembers=" + membersValue
                    + "\ndata.dir=" + instance.resolve("data") + "\n" + listen + moreProperties, StandardCharsets.UTF_8);
            List<String> cmd = new ArrayList<>(prefix);
            cmd.addAll(List.of(dist.resolve("bin").resolve("chubby-server").toString(), "--config", config.toString()));
            Process p = new ProcessBuilder(cmd).directory(instance.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
            Files.writeString(instance.resolve("pid"), Long.toString(p.pid()));
            return p.pid();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start replica " + id, e);
        }
    }

    /** The CHUBBY_CELL value: every member's client address. */
    String cellSpec() {
        List<String> a = new ArrayList<>();
        for (int i : members) {
            a.add(clientAddress(i));
        }
        return String.join(",", a);
    }

    Run up(String... moreOptions) {
        List<String> args = new ArrayList<>(List.of("cell", "up", "--replicas", Integer.toString(replicas), "--dir",
                dir.toString(), "--base-port", Integer.toString(basePort)));
        args.addAll(List.of(moreOptions));
        return chubby(null, args.toArray(new String[0]));
    }

    Run down() {
        return chubby(null, "cell", "down", "--dir", dir.toString());
    }

    /**
     * {@code cell status}: of the cell directory while it holds the replicas {@code cell up} made, else
     * of the members' addresses (CHUBBY_CELL).
     */
    Run status() {
        return onLoopbackAsMadeByCellUp() ? chubby(null, "cell", "status", "--dir", dir.toString()) : chubby(null, "cell", "status");
    }

    /** Parsed {@code cell status} lines (key=value tokens), one map per replica line. */
    List<Map<String, String>> statusLines() {
        return parsedLines(status(), "replica");
    }

    /** Parsed {@code cell status} lines of the proxies registered with the cell (after the replicas'). */
    List<Map<String, String>> proxyLines() {
        return parsedLines(status(), "proxy");
    }

    /** The lines of {@code r} that begin with {@code kind} ({@code replica=...}, {@code proxy ...}), parsed. */
    static List<Map<String, String>> parsedLines(Run r, String kind) {
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : r.out().lines().filter(l -> l.startsWith(kind)).toList()) {
            Map<String, String> kv = new HashMap<>();
            for (String tok : line.trim().split("\\s+")) {
                int eq = tok.indexOf('=');
                if (eq > 0) {
                    kv.put(tok.substring(0, eq), tok.substring(eq + 1));
                }
            }
            if (kv.containsKey("address")) {
                out.add(kv);
            }
        }
        return out;
    }

    Optional<Map<String, String>> master() {
        return statusLines().stream().filter(m -> "master".equals(m.get("role"))).findFirst();
    }

    /** Runs bin/chubby with CHUBBY_CELL set to this cell; {@code stdin} may be null. */
    Run chubby(byte[] stdin, String... args) {
        return chubbyBehind(List.of(), stdin, args);
    }

    /** {@link #chubby} run as {@code prefix... bin/chubby ARGS} (e.g. {@code ip netns exec NS}: from another host). */
    Run chubbyBehind(List<String> prefix, byte[] stdin, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(dist.resolve("bin").resolve("chubby").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("CHUBBY_CELL", cellSpec());
        pb.environment().remove("CHUBBY_LOG_LEVEL");
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException e) {
                // the command may exit before reading stdin (e.g. a rejected argument)
            }
            if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish within " + COMMAND_TIMEOUT);
            }
            return new Run(cmd, p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The pid recorded for replica {@code id} (DIR/replica-i/pid), if any. */
    Optional<Long> pid(int id) {
        Path f = dir.resolve("replica-" + id).resolve("pid");
        try {
            return Files.isRegularFile(f) ? Optional.of(Long.parseLong(Files.readString(f).trim())) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Stops replica {@code id}'s process (by its pid file): SIGTERM, or SIGKILL when {@code kill}
     * (or when SIGTERM did not end it within 30 s); returns once it exited.
     */
    void stopReplica(int id, boolean kill) throws Exception {
        ProcessHandle h = pid(id).flatMap(ProcessHandle::of)
                .orElseThrow(() -> new AssertionError("replica " + id + " has no live process"));
        if (kill) {
            h.destroyForcibly();
        } else {
            h.destroy();
        }
        try {
            h.onExit().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            h.destroyForcibly();
            h.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    /** Deletes replica {@code id}'s data directory (a lost disk); the replica must be stopped. */
    void wipeData(int id) throws IOException {
        Path data = dir.resolve("replica-" + id).resolve("data");
        if (Files.exists(data)) {
            try (Stream<Path> paths = Files.walk(data)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** {@code cell down}, then SIGKILL to whatever is left (for a test's clean-up). */
    void stop() {
        try {
            down();
        } finally {
            destroy();
        }
    }

    /**
     * The status lines when every replica answers and all are at one applied index and state
     * checksum, else null (a probe for {@link #await}).
     */
    List<Map<String, String>> converged() {
        List<Map<String, String>> lines = statusLines();
        if (lines.size() != members.size() || lines.stream().anyMatch(m -> "down".equals(m.get("role")))) {
            return null;
        }
        long states = lines.stream().map(m -> m.get("applied") + "/" + m.get("checksum")).distinct().count();
        return states == 1 ? lines : null;
    }

    /** SIGKILL to every process of this cell still alive: recorded pids, then any JVM naming our dir. */
    void destroy() {
        List<ProcessHandle> victims = new ArrayList<>();
        for (int i = 1; i <= maxId; i++) {
            pid(i).flatMap(ProcessHandle::of).ifPresent(victims::add);
        }
        String marker = dir.toString();
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            all.filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false)).forEach(victims::add);
        }
        for (ProcessHandle h : victims) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : victims) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // best effort: reported by the caller's leftover check if it matters
            }
        }
    }

    /** Log tails of every replica, for failure messages. */
    String logs() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= maxId; i++) {
            for (String name : List.of("replica.log", "console.log")) {
                Path f = dir.resolve("replica-" + i).resolve("log").resolve(name);
                if (Files.isRegularFile(f)) {
                    try {
                        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                        sb.append("\n==== replica ").append(i).append(' ').append(name).append(" (tail)\n");
                        lines.subList(Math.max(0, lines.size() - 25), lines.size())
                                .forEach(l -> sb.append(l, 0, Math.min(l.length(), 300)).append('\n'));
                    } catch (IOException e) {
                        sb.append("\n(cannot read ").append(f).append(")");
                    }
                }
            }
        }
        return sb.toString();
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(stream error: " + e.getMessage() + ")";
            }
        });
    }

    /**
     * A base port P with P+1..P+n, P+51..P+50+n and P+101..P+100+n free on loopback now, and for a
     * cell that may grow to id {@code maxId} > n also P+1..P+maxId, P+101..P+100+maxId and the second
     * range P+21..P+20+maxId, P+121..P+120+maxId ({@link #move}).
     */
    private static int freeBasePort(int n, int maxId) {
        for (int attempt = 0; attempt < 50; attempt++) {
            // below the kernel's ephemeral range (32768+): a replica dialling a peer port there before
            // that peer listens can connect to itself (TCP simultaneous open), take the port and get
            // its own ClientHello back (seen: "Unexpected handshake message: client_hello", then the
            // peer could not bind); outgoing connections never take ports below the range
            int p = 10_000 + ThreadLocalRandom.current().nextInt(22_000);
            List<Integer> ports = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                ports.add(p + i);
                ports.add(p + 100 + i);
                ports.add(p + 50 + i); // the DNS bridge (cell up writes io.chubby.dns.cfg by default)
                ports.add(p + 200 + i); // HTTP: metrics and health (cell up writes org.apache.felix.http.cfg)
            }
            for (int i = n + 1; maxId > n && i <= maxId; i++) {
                ports.add(p + i);
                ports.add(p + 100 + i);
            }
            for (int i = 1; maxId > n && i <= maxId; i++) {
                ports.add(p + 20 + i);
                ports.add(p + 120 + i);
            }
            if (ports.stream().allMatch(LocalCell::free)) {
                return p;
            }
        }
        throw new IllegalStateException("no free port range found");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String describe(List<Map<String, String>> lines) {
        return lines.stream().map(Map::toString).collect(Collectors.joining("\n  ", "\n  ", ""));
    }

    /**
     * Polls {@code probe} (every 300 ms) until it returns non-null, for at most {@code deadlineMs};
     * on timeout fails with the cell's status lines and the replicas' log tails.
     */
    <T> T await(String what, java.util.function.Supplier<T> probe, long deadlineMs) throws InterruptedException {
        long end = System.currentTimeMillis() + deadlineMs;
        do {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            Thread.sleep(300);
        } while (System.currentTimeMillis() < end);
        throw new AssertionError("timed out after " + deadlineMs + " ms waiting for " + what + "; cell status:"
                + describe(statusLines()) + logs());
    }
}
