package io.chubby.cli.internal.command;

import io.chubby.cli.internal.CliContext;
import io.chubby.cli.internal.cell.CellLayout;
import io.chubby.cli.internal.cell.DnsConfig;
import io.chubby.cli.internal.cell.PidFile;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code chubby cell up}: creates the cell's directories and configs (first time), starts every
 * replica that is not running, waits until they answer and a master is known, and prints the
 * {@code export CHUBBY_CELL=...} line last.
 */
@Command(name = "up", description = {"Start a local cell (or the replicas of it that are not running).",
        "The last line printed is 'export CHUBBY_CELL=...': eval it to point later commands at the cell."})
public final class CellUpCommand implements Callable<Integer> {
    public static final int DEFAULT_REPLICAS = 5;
    public static final int DEFAULT_BASE_PORT = 7000;

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

    @Option(names = "--no-dns", description = "Do not run the DNS bridge on the replicas (by default replica i serves DNS on 127.0.0.1:P+50+i).")
    boolean noDns;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = {"Tuning key for every replica (repeatable), "
            + "written to the file of its component's PID in etc/ by prefix: store.*, paxos.*, transport.peer.*, "
            + "transport.client.*, cell.*, dns.*; e.g. --set paxos.lease.ms=3000. Keys set by earlier runs are kept."})
    Map<String, String> tuning = new LinkedHashMap<>();

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for the replicas and a master (default ${DEFAULT-VALUE}).")
    int waitSeconds;

    @Override
    public Integer call() throws InterruptedException {
        CliContext ctx = cell.ctx();
        PrintStream out = ctx.out();
        CellLayout layout = layout(cell.dir(dir));
        Path home = chubbyHome(ctx);
        layout.create();
        DnsConfig dns = new DnsConfig(layout);
        dns.apply(!noDns);
        layout.writeTuning(tuning);
        out.println("cell " + layout.cellName() + " in " + layout.dir() + ": " + layout.replicas()
                + " replicas, client ports " + (layout.basePort() + 1) + ".." + (layout.basePort() + layout.replicas())
                + (noDns ? "" : ", DNS ports " + dns.port(1) + ".." + dns.port(layout.replicas())));
        ReplicaProcesses processes = new ReplicaProcesses(home);
        Map<Integer, ProcessHandle> started = new LinkedHashMap<>();
        for (int i = 1; i <= layout.replicas(); i++) {
            Optional<ProcessHandle> running = new PidFile(layout.pidFile(i)).alive();
            if (running.isPresent()) {
                out.println("replica " + i + ": already running, pid " + running.get().pid());
            } else {
                ProcessHandle p = processes.start(layout, i);
                started.put(i, p);
                out.println("replica " + i + ": started, pid " + p.pid() + ", log " + layout.replicaDir(i).resolve("log"));
            }
            out.flush();
        }
        new CellReadiness(ctx.access(), ctx.waiter(), out).await(layout, started, Duration.ofSeconds(waitSeconds));
        if (!noDns) {
            out.println(dns.exportLine());
        }
        out.println(layout.exportLine());
        out.flush();
        return 0;
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

    /** A --set key of no component, an identity key, or dns.* with --no-dns is a usage error. */
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
            if (pid.equals(ReplicaConfig.DNS_PID) && noDns) {
                throw new ParameterException(spec.commandLine(), "--set " + key + " with --no-dns: there is no "
                        + "DNS bridge to tune");
            }
        }
    }

    private static Path chubbyHome(CliContext ctx) {
        return ctx.env(CliContext.HOME_ENV).map(Path::of).map(Path::toAbsolutePath).orElseThrow(() ->
                new IllegalStateException("CHUBBY_HOME is not set: run 'cell up' through the distribution's bin/chubby"));
    }
}
