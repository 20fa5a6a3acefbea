package io.chubby.cli.internal.command;

import io.chubby.cli.internal.cell.TlsConfig;
import io.chubby.client.ClientSecurity;

import io.chubby.cli.internal.CliContext;
import io.chubby.cli.internal.cell.CellLayout;
import io.chubby.cli.internal.cell.DnsConfig;
import io.chubby.cli.internal.cell.PartitionConfig;
import io.chubby.cli.internal.cell.ReplicaProcesses;
import io.chubby.spi.ReplicaConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code chubby cell up}: creates the cell's directories and configs (first time), starts every
 * replica that is not serving (never started, gone, a zombie, or alive but not answering Status,
 * which is stopped first) and says per replica what it did, waits until they answer and a replica
 * answers Status as master, and prints the {@code export CHUBBY_CELL=...} line last. A re-run keeps
 * each replica's configuration (DNS bridge on or off, tuning) unless an option changes it.
 */
@Command(name = "up", description = {"Start a local cell (or the replicas of it that are not serving).",
        "The last line printed is 'export CHUBBY_CELL=...': eval it to point later commands at the cell."})
public final class CellUpCommand implements Callable<Integer> {
    public static final int DEFAULT_REPLICAS = 5;
    public static final int DEFAULT_BASE_PORT = 7000;
    /** The partitioning bundle's jar in bundle/, without ".jar". */
    static final String PARTITIONING_JAR = "chubby-partitioning";
    /** How long a replica that does not answer gets to stop on SIGTERM before SIGKILL. */
    static final Duration HUNG_STOP_GRACE = Duration.ofSeconds(5);

    @ParentCommand
    CellCommand cell;

    @Spec
    CommandSpec spec;

    @Option(names = "--replicas", paramLabel = "N", description = "Number of replicas, odd, 1..9 (default 5; an existing cell keeps its own).")
    Integer replicas;

    @Option(names = "--dir", paramLabel = "DIR", description = "Directory of the cell (default ./" + CellCommand.DEFAULT_DIR + ").")
    String dir;

    @Option(names = "--base-port", paramLabel = "P", description = "Replica i listens on P+i (clients) and P+100+i (peers); default 7000.")
    Integer basePort;

    @Option(names = "--dns", description = "Run the DNS bridge on every replica: replica i serves DNS on 127.0.0.1:P+50+i "
            + "(the default for a new cell; an existing cell keeps each replica's setting unless --dns or --no-dns is given).")
    boolean dns;

    @Option(names = "--no-dns", description = "Do not run the DNS bridge on the replicas (stops it on running ones).")
    boolean noDns;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = {"Tuning key for every replica (repeatable), "
            + "written to the file of its component's PID in etc/ by prefix: store.*, paxos.*, transport.peer.*, "
            + "transport.client.*, cell.*, dns.*, acl.*, backup.*, metrics.*; e.g. --set paxos.lease.ms=3000. Keys set "
            + "by earlier runs are kept."})
    Map<String, String> tuning = new LinkedHashMap<>();

    @Option(names = "--tls", description = {"Secure the cell: a throwaway CA and certificates under DIR/tls/ (kept and reused",
            "by later runs, which keep TLS on), TLS on every client port and mutual TLS on peer links, admin as",
            "superuser; prints 'export CHUBBY_TLS_CA=... CHUBBY_TLS_CERT=... CHUBBY_TLS_KEY=...' (the admin's)."})
    boolean tls;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for the replicas and a master (default ${DEFAULT-VALUE}).")
    int waitSeconds;

    @Option(names = "--partitions", paramLabel = "N", description = {"Partitions of the namespace, "
            + "each its own Paxos group (docs/PARTITIONING.md); 1 (the default for a new cell) is a cell of one group.",
            "N > 1 needs the partitioning bundle (bundle/chubby-partitioning.jar, feature partitioning) and is fixed",
            "when the cell is created: an existing cell keeps its own, and another N is refused."})
    Integer partitions;

    @Override
    public Integer call() throws InterruptedException {
        CliContext ctx = cell.ctx();
        PrintStream out = ctx.out();
        Path cellDir = cell.dir(dir);
        boolean fresh = CellLayout.read(cellDir).isEmpty();
        CellLayout layout = layout(cellDir);
        Path home = chubbyHome(ctx);
        int n = partitions(layout, fresh, bundleShipped(home, PARTITIONING_JAR));
        DnsConfig dnsConfig = new DnsConfig(layout);
        Optional<Boolean> dnsWanted = dnsChoice(fresh, bundleShipped(home, "chubby-dns-bridge"));
        checkDnsTuning(dnsConfig, dnsWanted);
        layout.create();
        dnsWanted.ifPresent(dnsConfig::apply); // absent: each replica keeps its DNS setting
        layout.writeTuning(tuning);
        if (fresh && n > 1) {
            new PartitionConfig(layout).apply(n);
        }
        TlsConfig tlsConfig = new TlsConfig(layout);
        boolean tlsOn = tls || tlsConfig.present();
        ClientSecurity security = ClientSecurity.NONE;
        if (tlsOn) {
            out.println(tlsConfig.ensureCertificates(home));
            boolean enforce = aclBundleShipped(home);
            tlsConfig.apply(enforce);
            if (!enforce) {
                out.println("tls: access control not enforced: this distribution has no acl bundle (bundle/chubby-acl*.jar)");
            }
            security = tlsConfig.adminSecurity();
        }
        List<Integer> dnsOn = dnsConfig.enabledReplicas();
        out.println("cell " + layout.cellName() + " in " + layout.dir() + ": " + layout.replicas()
                + " replicas" + (n > 1 ? ", " + n + " partitions" : "") + ", client ports " + (layout.basePort() + 1)
                + ".." + (layout.basePort() + layout.replicas()) + dnsPorts(dnsConfig, dnsOn));
        Map<Integer, ProcessHandle> awaited = startWhatIsNotServing(ctx, layout, home, out, security);
        CellReadiness readiness = new CellReadiness(ctx.access(), security, ctx.waiter(), out);
        readiness.await(layout, awaited, Duration.ofSeconds(waitSeconds));
        if (n > 1) {
            new PartitionReadiness(readiness::probe, ctx.waiter(), out).await(layout.clientAddresses(), n,
                    Duration.ofSeconds(waitSeconds), layout.dir().toString());
        }
        if (!dnsOn.isEmpty()) {
            out.println(dnsConfig.exportLine(dnsOn.get(0)));
        }
        if (tlsOn) {
            out.println(tlsConfig.exportLine());
        }
        out.println(layout.exportLine());
        out.flush();
        return 0;
    }

    /**
     * Checks every replica and starts (or stops and starts) those not serving, printing one line
     * each; returns the replicas to wait for (started, restarted, still starting) with their processes.
     */
    private Map<Integer, ProcessHandle> startWhatIsNotServing(CliContext ctx, CellLayout layout, Path home,
                                                              PrintStream out, ClientSecurity security) {
        ReplicaProcesses processes = new ReplicaProcesses(home);
        ReplicaCheck check = new ReplicaCheck(ctx.access(), security, ctx.waiter()::now);
        Map<Integer, ProcessHandle> awaited = new LinkedHashMap<>();
        for (int i = 1; i <= layout.replicas(); i++) {
            ReplicaCheck.Finding f = check.inspect(layout, i);
            String prefix = "replica " + i + ": ";
            switch (f.condition()) {
                case SERVING -> out.println(prefix + "running, pid " + f.pid());
                case STARTING -> {
                    awaited.put(i, f.process().orElseThrow());
                    out.println(prefix + "starting, pid " + f.pid() + " (not answering yet)");
                }
                default -> {
                    String was = switch (f.condition()) {
                        case NEW -> "";
                        case DOWN -> " (was: down, pid " + f.pid() + ")";
                        case ZOMBIE -> " (was: zombie, pid " + f.pid() + ")";
                        default -> " (was: not answering, pid " + f.pid() + ", "
                                + (ReplicaProcesses.stop(List.of(f.process().orElseThrow()), HUNG_STOP_GRACE).get(0)
                                ? "killed" : "stopped") + ")";
                    };
                    ProcessHandle p = processes.start(layout, i);
                    awaited.put(i, p);
                    out.println(prefix + (was.isEmpty() ? "started" : "restarted" + was) + ", pid " + p.pid()
                            + ", log " + layout.replicaDir(i).resolve("log"));
                }
            }
            out.flush();
        }
        return awaited;
    }

    /**
     * The DNS bridge setting to write: {@code --dns} / {@code --no-dns} when given, on for a new
     * cell when the distribution has the DNS bridge (an assembled one may not: feature dns), and
     * otherwise none (each replica keeps what it has).
     */
    private Optional<Boolean> dnsChoice(boolean fresh, boolean dnsShipped) {
        if (dns && noDns) {
            throw new ParameterException(spec.commandLine(), "--dns and --no-dns contradict each other");
        }
        if (dns && !dnsShipped) {
            throw new ParameterException(spec.commandLine(), "--dns: this distribution has no DNS bridge "
                    + "(bundle/chubby-dns-bridge.jar; 'chubby dist assemble' with feature dns makes one that has)");
        }
        if (dns || noDns) {
            return Optional.of(dns);
        }
        return fresh ? Optional.of(dnsShipped) : Optional.empty();
    }

    /** {@code --set dns.*} needs the bridge on every replica the keys would go to. */
    private void checkDnsTuning(DnsConfig dnsConfig, Optional<Boolean> dnsWanted) {
        boolean dnsKeys = tuning.keySet().stream().anyMatch(k -> ReplicaConfig.pidOf(k).equals(ReplicaConfig.DNS_PID));
        if (!dnsKeys || dnsWanted.orElse(false)) {
            return;
        }
        if (dnsWanted.isPresent()) {
            throw new ParameterException(spec.commandLine(), "--set dns.* with --no-dns: there is no DNS bridge to tune");
        }
        List<Integer> off = java.util.stream.IntStream.rangeClosed(1, dnsConfig.layout().replicas())
                .filter(i -> !dnsConfig.enabled(i)).boxed().toList();
        if (!off.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--set dns.*: replica(s) " + off + " run without the DNS "
                    + "bridge (started with --no-dns); add --dns to turn it on");
        }
    }

    private static String dnsPorts(DnsConfig dnsConfig, List<Integer> on) {
        if (on.isEmpty()) {
            return "";
        }
        if (on.size() == dnsConfig.layout().replicas()) {
            return ", DNS ports " + dnsConfig.port(1) + ".." + dnsConfig.port(on.size());
        }
        return ", DNS ports " + String.join(",", on.stream().map(i -> Integer.toString(dnsConfig.port(i))).toList())
                + " (replicas " + on + "; the others run without DNS)";
    }

    /** The cell's layout: from DIR/cell.properties when DIR holds a cell, else from the options. */
    CellLayout layout(Path cellDir) {
        if (waitSeconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--wait must be positive");
        }
        checkTuning();
        Optional<CellLayout> existing = CellLayout.read(cellDir);
        if (existing.isPresent()) {
            CellLayout l = existing.get();
            if (replicas != null && replicas != l.replicas()) {
                throw new ParameterException(spec.commandLine(), "the cell in " + cellDir + " has " + l.replicas()
                        + " replicas, not " + replicas + " (use another --dir, or 'cell down' and delete it)");
            }
            if (basePort != null && basePort != l.basePort()) {
                throw new ParameterException(spec.commandLine(), "the cell in " + cellDir + " uses base port "
                        + l.basePort() + ", not " + basePort);
            }
            return l;
        }
        try {
            return new CellLayout(cellDir, replicas == null ? DEFAULT_REPLICAS : replicas,
                    basePort == null ? DEFAULT_BASE_PORT : basePort, CellLayout.DEFAULT_CELL);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * The cell's number of partitions, checked before anything is written or started: {@code
     * --partitions} (or {@code --set partition.count}, the same key; both given must agree) for a new
     * cell, default 1; an existing cell keeps the N it was created with and any other is a usage
     * error (re-partitioning is not supported, docs/PARTITIONING.md section 5); N > 1 needs the
     * partitioning bundle. {@code partition.count} is taken out of the tuning keys: it is written
     * only for a new cell ({@link PartitionConfig}).
     */
    int partitions(CellLayout layout, boolean fresh, boolean bundleShipped) {
        Integer wanted = partitions;
        String fromSet = tuning.remove(PartitionConfig.COUNT);
        if (fromSet != null) {
            int n;
            try {
                n = Integer.parseInt(fromSet.strip());
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--set " + PartitionConfig.COUNT + "=" + fromSet
                        + ": not a whole number");
            }
            if (wanted != null && wanted != n) {
                throw new ParameterException(spec.commandLine(), "--partitions " + wanted + " and --set "
                        + PartitionConfig.COUNT + "=" + n + " contradict each other");
            }
            wanted = n;
        }
        if (wanted != null && wanted < 1) {
            throw new ParameterException(spec.commandLine(), "--partitions must be at least 1");
        }
        int recorded;
        try {
            recorded = fresh ? (wanted == null ? 1 : wanted) : new PartitionConfig(layout).recorded();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (wanted != null && wanted != recorded) {
            throw new ParameterException(spec.commandLine(), "the cell in " + layout.dir() + " was created with "
                    + recorded + " partition(s), not " + wanted + ": the number of partitions is fixed for a cell's "
                    + "life (re-partitioning is not supported; use another --dir, or 'cell down' and delete it)");
        }
        if (recorded > 1 && !bundleShipped) {
            throw new ParameterException(spec.commandLine(), "this distribution has no partitioning bundle "
                    + "(bundle/" + PARTITIONING_JAR + ".jar; 'chubby dist assemble' with feature partitioning makes one "
                    + "that has): --partitions must be 1");
        }
        return recorded;
    }

    /** A --set key of no component or an identity key is a usage error (dns.* keys: {@link #checkDnsTuning}). */
    private void checkTuning() {
        for (String key : tuning.keySet()) {
            String pid;
            try {
                pid = ReplicaConfig.pidOf(key);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--set " + e.getMessage());
            }
            if (pid.equals(ReplicaConfig.PID)) {
                throw new ParameterException(spec.commandLine(), "--set " + key + ": the replica's identity is "
                        + "written by 'cell up' itself");
            }
        }
    }

    /**
     * Whether the distribution ships the acl bundle: only then is {@code cell.acl.enforce=true}
     * written, since enforcement without an authorizer refuses every call (fail closed).
     */
    static boolean aclBundleShipped(Path home) {
        return bundleShipped(home, "chubby-acl");
    }

    /** Whether the distribution's {@code bundle/} has {@code NAME*.jar} (features of an assembled one). */
    static boolean bundleShipped(Path home, String name) {
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(home.resolve("bundle"))) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(name)
                    && p.getFileName().toString().endsWith(".jar"));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static Path chubbyHome(CliContext ctx) {
        return ctx.env(CliContext.HOME_ENV).map(Path::of).map(Path::toAbsolutePath).orElseThrow(() ->
                new IllegalStateException("CHUBBY_HOME is not set: run 'cell up' through the distribution's bin/chubby"));
    }
}
