package io.chubby.faults;

import io.chubby.api.CreateMode;
import io.chubby.api.OpenOptions;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Contents;
import io.chubby.client.Handle;
import io.chubby.client.ReplicaStatus;
import io.chubby.sim.check.Operation;
import io.chubby.sim.check.RegisterModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fault-injection run: start a cell, create the register files, run the clients and the
 * nemesis for the workload time, heal, stop the clients, read every key once more (recorded),
 * wait for the replicas to converge, check the history, and kill everything. The cell's files
 * (instance dirs with replica logs, faults.log, history.txt) stay in {@link Settings#workDir()}.
 */
public final class FaultRun {
    private static final Logger log = LoggerFactory.getLogger(FaultRun.class);
    /** Client id of the final reads (workers are 1..clients). */
    static final int FINAL_READER = 0;
    /** The lock file of the lock workload. */
    static final String LOCK_PATH = "/ls/local/faults-lock";
    /** The replicas' default cell.session.max.lease.ms (the longest lease a master may grant). */
    static final long DEFAULT_MAX_LEASE_MS = 60_000;

    /**
     * @param seed          seed of the nemesis schedule and of the workload
     * @param replicas      cell size
     * @param clients       client sessions (threads), at most 254
     * @param keys          register files
     * @param workload      how long the clients and the nemesis run before the heal
     * @param distribution  the assembled distribution (distribution/target/chubby)
     * @param workDir       where the instance dirs and journals go (should be empty)
     * @param clientProxies whether clients reach replicas through proxies (enables client faults)
     * @param jvmOptions    CHUBBY_SERVER_OPTS of every replica
     * @param replicaConfig tuning keys for every replica (paxos.*, cell.*, ...), each written to its
     *                      component's etc/<pid>.cfg
     * @param leaseMillis   the Paxos master lease the replicas use (paxos.lease.ms), for pauses
     * @param faults        the faults the nemesis draws from (empty = all)
     * @param lockers       lock workers ({@link LockWorker}) competing for one lock (0 = none)
     * @param ephemeral     whether the {@link EphemeralWorker} runs (kill -9 of ephemeral holders)
     * @param proxies       Chubby proxies (bin/chubby-proxy) in front of the cell; with any, every
     *                      client (workers, lockers, ephemeral holders, final reads) reaches the
     *                      cell only through them, and the nemesis also kills and pauses them
     * @param partitions    Paxos groups of the namespace (1 = one group); above 1 the registers
     *                      are {@code /ls/local/faults-d<k>/register} in directories whose children
     *                      are on different partitions ({@link PartitionedPaths}, {@link #registers()}),
     *                      the lock file in the first directory, DirectoryWorkers run, and the
     *                      nemesis also kills, pauses and moves group masters
     */
    public record Settings(long seed, int replicas, int clients, int keys, Duration workload, Path distribution,
                           Path workDir, boolean clientProxies, String jvmOptions, Map<String, String> replicaConfig,
                           long leaseMillis, java.util.Set<Nemesis.Fault> faults, int lockers, boolean ephemeral,
                           int proxies, int partitions) {
        public Settings {
            if (partitions < 1 || partitions > 64) {
                throw new IllegalArgumentException("partitions must be 1..64");
            }
            if (clients < 1 || clients > 254) {
                throw new IllegalArgumentException("clients must be 1..254");
            }
            if (proxies < 0 || proxies > 16) {
                throw new IllegalArgumentException("proxies must be 0..16");
            }
            if (lockers < 0 || lockers > 254) {
                throw new IllegalArgumentException("lockers must be 0..254");
            }
            replicaConfig = Map.copyOf(replicaConfig);
            faults = faults.isEmpty() ? java.util.Set.of() : java.util.EnumSet.copyOf(faults);
        }

        /**
         * Defaults: 5 replicas, 4 clients, 3 keys, 3 lock workers, the ephemeral worker, client
         * proxies on, -Xmx256m, default lease 1500 ms, no Chubby proxies.
         */
        public static Settings defaults(long seed, Duration workload, Path distribution, Path workDir) {
            return new Settings(seed, 5, 4, 3, workload, distribution, workDir, true, "", Map.of(), 1500,
                    java.util.Set.of(), 3, true, 0, 1);
        }

        /** These settings with {@code n} Chubby proxies in front of the cell. */
        public Settings withProxies(int n) {
            return new Settings(seed, replicas, clients, keys, workload, distribution, workDir, clientProxies,
                    jvmOptions, replicaConfig, leaseMillis, faults, lockers, ephemeral, n, partitions);
        }

        /** These settings with {@code n} register files (at most the partitions in a partitioned cell). */
        public Settings withKeys(int n) {
            return new Settings(seed, replicas, clients, n, workload, distribution, workDir, clientProxies,
                    jvmOptions, replicaConfig, leaseMillis, faults, lockers, ephemeral, proxies, partitions);
        }

        /** These settings with one more tuning key for every replica (e.g. cell.session.max.lease.ms). */
        public Settings withReplicaKey(String key, String value) {
            Map<String, String> config = new java.util.LinkedHashMap<>(replicaConfig);
            config.put(key, value);
            return new Settings(seed, replicas, clients, keys, workload, distribution, workDir, clientProxies,
                    jvmOptions, config, leaseMillis, faults, lockers, ephemeral, proxies, partitions);
        }

        /** These settings on a cell of {@code n} partitions (Paxos groups). */
        public Settings withPartitions(int n) {
            return new Settings(seed, replicas, clients, keys, workload, distribution, workDir, clientProxies,
                    jvmOptions, replicaConfig, leaseMillis, faults, lockers, ephemeral, proxies, n);
        }

        /**
         * The directories of the workload in a partitioned cell, their children on different
         * partitions: min(keys, partitions) of them; none in a cell of one group.
         */
        public List<String> directories() {
            return partitions == 1 ? List.of() : PartitionedPaths.directories(partitions, Math.min(keys, partitions));
        }

        /** The register files: one per directory when partitioned, else /ls/local/faults-register-k. */
        public List<String> registers() {
            if (partitions > 1) {
                return directories().stream().map(PartitionedPaths::register).toList();
            }
            List<String> out = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                out.add("/ls/local/faults-register-" + k);
            }
            return out;
        }

        /** The lock workers' lock file. */
        public String lockPath() {
            return partitions > 1 ? PartitionedPaths.lock(directories()) : LOCK_PATH;
        }
    }

    private final Settings settings;
    private final History history = new History();

    public FaultRun(Settings settings) {
        this.settings = settings;
    }

    /** The history recorded by {@link #run()} (for tests that tamper with a real history). */
    public History history() {
        return history;
    }

    public RunSummary run() throws IOException, InterruptedException {
        long started = System.nanoTime();
        Files.createDirectories(settings.workDir());
        FaultLog faults = new FaultLog(settings.workDir().resolve("faults.log"));
        List<String> anomalies = new ArrayList<>();
        String convergence;
        AtomicBoolean stopClients = new AtomicBoolean();
        AtomicBoolean stopNemesis = new AtomicBoolean();
        WorkerThreads threads = new WorkerThreads();
        try (CellUnderTest cell = new CellUnderTest(settings.distribution(), settings.workDir(), settings.replicas(),
                settings.clientProxies(), settings.replicaConfig(), settings.jvmOptions(), settings.proxies(),
                settings.partitions())) {
            cell.startAll();
            faults.note("cell started replicas=" + settings.replicas() + " proxies=" + settings.proxies() + " dir="
                    + settings.workDir());
            ReplicaStatus first = cell.awaitMaster(Duration.ofSeconds(90)).orElseThrow(() -> new IllegalStateException(
                    "no master within 90 s of starting the cell; see the logs in " + settings.workDir()));
            faults.note("master=" + first.replicaId() + " epoch=" + first.epoch());
            Optional<String> unpartitioned = cell.awaitPartitions(Duration.ofSeconds(90));
            if (unpartitioned.isPresent()) {
                throw new IllegalStateException(settings.partitions() + " partitions not recorded with a master for "
                        + "every group within 90 s: " + unpartitioned.get() + "; see the logs in " + settings.workDir());
            }
            if (settings.partitions() > 1) {
                faults.note("partitions=" + settings.partitions() + " group masters " + groupMasters(cell));
            }
            List<Integer> silent = cell.awaitProxies(Duration.ofSeconds(90));
            if (!silent.isEmpty()) {
                throw new IllegalStateException("proxies " + silent + " did not serve within 90 s; see "
                        + settings.workDir() + "/proxy-*/log");
            }
            ClientOptions options = ClientOptions.builder().replicas(cell.clientAddresses())
                    .callTimeout(Duration.ofSeconds(5)).connectTimeout(Duration.ofSeconds(1)).build();
            List<String> keys = createKeys(options);

            List<Thread> workers = new ArrayList<>();
            for (int c = 1; c <= settings.clients(); c++) {
                workers.add(threads.start("faults-client-" + c,
                        new ClientWorker(c, keys, options, history, settings.seed(), stopClients)));
            }
            ProtectedRegister protectedRegister = new ProtectedRegister(options);
            for (int l = 1; l <= settings.lockers(); l++) {
                workers.add(threads.start("faults-locker-" + l, new LockWorker(l, settings.lockPath(), options,
                        protectedRegister, history, settings.seed(), stopClients)));
            }
            Thread ephemeral = null;
            Duration maxLease = Duration.ofMillis(Long.parseLong(settings.replicaConfig()
                    .getOrDefault("cell.session.max.lease.ms", Long.toString(DEFAULT_MAX_LEASE_MS))));
            if (settings.ephemeral()) {
                ephemeral = threads.start("faults-ephemeral", new EphemeralWorker(settings.distribution(),
                        settings.workDir(), cell.clientAddresses(), options, history, settings.seed(), stopClients,
                        maxLease));
            }
            DirectoryLedger directories = new DirectoryLedger();
            List<String> parents = directoryParents();
            for (int w = 0; w < parents.size(); w++) {
                workers.add(threads.start("faults-directories-" + (w + 1), new DirectoryWorker(w + 1, parents.get(w),
                        settings.partitions(), options, history, directories, stopClients)));
            }
            Thread nemesis = threads.start("nemesis", new Nemesis(cell, faults, settings.seed(), settings.leaseMillis(),
                    stopNemesis, settings.faults()));

            Thread.sleep(settings.workload().toMillis());
            stopNemesis.set(true);
            nemesis.join(30_000);
            if (nemesis.isAlive()) {
                anomalies.add("nemesis did not finish healing within 30 s");
            }
            // the clients keep going a little on the healed cell, so it is seen working again
            Thread.sleep(3000);
            stopClients.set(true);
            // a call may wait out the whole grace period (45 s) of a session in jeopardy
            for (Thread t : workers) {
                t.join(60_000);
                if (t.isAlive()) {
                    anomalies.add("client thread " + t.getName() + " did not stop within 60 s");
                }
            }
            if (ephemeral != null) {
                // a cycle that killed its holder finishes its deletion check first (the cell is
                // healed, so no failover extends the dead session any more)
                ephemeral.join(maxLease.toMillis() + 60_000);
                if (ephemeral.isAlive()) {
                    anomalies.add("ephemeral worker did not stop in time");
                }
            }
            // A worker that died of an uncaught exception left a hole in the history: fail the run naming it.
            anomalies.addAll(threads.deaths());
            protectedRegister.close();
            faults.note("workload stopped operations=" + history.total() + " " + protectedRegister.describe());

            finalReads(options, keys, history, anomalies);
            anomalies.addAll(directories.check(finalExists(options, directories.paths())));
            CellUnderTest.Convergence conv = cell.awaitConvergence(Duration.ofSeconds(60));
            convergence = conv.describe();
            faults.note("final " + convergence);
            if (!conv.converged()) {
                anomalies.add("replicas did not converge within 60 s: " + convergence);
            }
        } finally {
            // also when the run ends early (no master, interrupted): no client or nemesis outlives the cell
            stopNemesis.set(true);
            stopClients.set(true);
        }
        writeHistory(history);
        // the search budget per key grows with the run (a 30-minute soak records ~10^4 operations per key)
        Duration budget = Duration.ofSeconds(Math.max(60, settings.workload().toSeconds() / 10));
        long checkStart = System.nanoTime();
        anomalies.addAll(new HistoryChecks(budget).check(history));
        faults.note("events " + history.events());
        faults.note("checks done seconds=" + (System.nanoTime() - checkStart) / 1_000_000_000);
        RunSummary summary = new RunSummary(settings.seed(), faults.faultCount(), faults.faultsByKind(), history.ok(),
                history.fail(), history.unknown(), anomalies, (System.nanoTime() - started) / 1_000_000, convergence,
                history.events());
        Files.writeString(settings.workDir().resolve("summary.txt"), summary.report());
        log.info("{}", summary.line());
        return summary;
    }

    /** Creates the directories (when partitioned) and the (empty) register files before any fault. */
    private List<String> createKeys(ClientOptions options) {
        List<String> keys = settings.registers();
        try (ChubbyClient client = ChubbyClient.connect(options)) {
            for (String dir : settings.directories()) {
                client.open(dir, OpenOptions.write().asDirectory()).close();
            }
            for (String path : keys) {
                client.open(path, OpenOptions.write().withCreate(CreateMode.MAY)).close();
            }
        }
        return keys;
    }

    /**
     * The directories the DirectoryWorkers make their directories in, one worker each: the
     * workload's directories but the lock's, at most two; none in a cell of one group.
     */
    private List<String> directoryParents() {
        List<String> dirs = settings.directories();
        return dirs.size() <= 1 ? dirs : dirs.subList(1, Math.min(3, dirs.size()));
    }

    /**
     * After the heal, whether each node exists (one session, {@code exists}: no ReadDir, which is
     * not built across partitions yet); a node still unanswered 60 s after the first try maps to
     * null (reported by the ledger).
     */
    private static Map<String, Boolean> finalExists(ClientOptions options, List<String> paths)
            throws InterruptedException {
        Map<String, Boolean> out = new java.util.HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        ChubbyClient client = null;
        try {
            for (String path : paths) {
                while (!out.containsKey(path) && System.nanoTime() < deadline) {
                    try {
                        if (client == null) {
                            client = ChubbyClient.connect(options);
                        }
                        out.put(path, client.exists(path));
                    } catch (RuntimeException e) {
                        log.info("final exists failed path={} error={}", path, e.toString());
                        if (client != null) {
                            client.close();
                            client = null;
                        }
                        Thread.sleep(500);
                    }
                }
            }
        } finally {
            if (client != null) {
                client.close();
            }
        }
        return out;
    }

    /** "g0->r3 g1->r1 ..." as the replicas' Status answers (one round) name the group masters now. */
    private static String groupMasters(CellUnderTest cell) {
        Collection<ReplicaStatus> seen = cell.statuses(Duration.ofSeconds(1)).values();
        StringBuilder sb = new StringBuilder();
        for (int g = 0; g < cell.partitions(); g++) {
            sb.append(" g").append(g).append("->").append(CellUnderTest.groupMaster(g, seen)
                    .map(m -> "r" + m.replicaId() + "@" + m.epoch()).orElse("none"));
        }
        return sb.toString().trim();
    }

    /** Reads every key after the heal, recording the reads: this is what catches a lost write. */
    private static void finalReads(ClientOptions options, List<String> keys, History history, List<String> anomalies)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (String key : keys) {
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                try (ChubbyClient client = ChubbyClient.connect(options);
                     Handle h = client.open(key, OpenOptions.read())) {
                    long invoke = History.now();
                    Contents c = h.getContentsAndStat();
                    history.completed(key, FINAL_READER, invoke, History.now(), new RegisterModel.Read(),
                            RegisterValues.decode(c.data()));
                    done = true;
                } catch (RuntimeException e) {
                    log.info("final read failed key={} error={}", key, e.toString());
                    Thread.sleep(500);
                }
            }
            if (!done) {
                anomalies.add("final read of " + key + " did not succeed within 60 s of the heal");
            }
        }
    }

    /** history.txt: every operation per key, for reading an anomaly. */
    private void writeHistory(History history) throws IOException {
        StringBuilder sb = new StringBuilder();
        history.byKey().forEach((key, ops) -> {
            sb.append("# ").append(key).append('\n');
            for (Operation op : ops) {
                sb.append(op.client()).append(' ').append(op.invoke()).append(' ')
                        .append(op.known() ? Long.toString(op.complete()) : "unknown").append(' ')
                        .append(op.input()).append(" -> ").append(op.output()).append('\n');
            }
        });
        history.epochs().forEach(e -> sb.append("epoch client=").append(e.client()).append(" at=").append(e.at())
                .append(" epoch=").append(e.epoch()).append('\n'));
        Files.writeString(settings.workDir().resolve("history.txt"), sb.toString());
    }
}
