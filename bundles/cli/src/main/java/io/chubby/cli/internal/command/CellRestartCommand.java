package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.MasterInfo;
import io.chubby.cli.internal.CliContext;
import io.chubby.cli.internal.cell.CellLayout;
import io.chubby.cli.internal.cell.PidFile;
import io.chubby.cli.internal.cell.ReplicaProcesses;
import io.chubby.cli.internal.cell.TlsConfig;
import io.chubby.client.ClientSecurity;
import io.chubby.client.ReplicaStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code chubby cell restart --rolling}: restarts every replica of a local cell one at a time, the
 * followers first and the master last, each with SIGTERM (a stopping master hands mastership over
 * first, so the cell pauses for a handoff, not a failover) and started again; before the next one
 * it waits until the restarted replica answers, a master is known and the replica has applied
 * everything the master had committed when it came back. Stops at the first replica that does
 * not come back or catch up, saying which and which were not restarted.
 */
@Command(name = "restart", description = {"Restart the replicas of a local cell one by one (--rolling): followers",
        "first, the master last; each is stopped with SIGTERM (a master hands over first), started, and",
        "must be caught up before the next. Stops at the first failure."})
public final class CellRestartCommand implements Callable<Integer> {
    @ParentCommand
    CellCommand cell;

    @Spec
    CommandSpec spec;

    @Option(names = "--rolling", description = "One replica at a time (required: a restart of all at once is "
            + "'cell down' then 'cell up').")
    boolean rolling;

    @Option(names = "--dir", paramLabel = "DIR", description = "Directory of the cell (default ./" + CellCommand.DEFAULT_DIR + ").")
    String dir;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long each replica may take to come back and catch up (default ${DEFAULT-VALUE}).")
    int waitSeconds;

    @Option(names = "--grace", paramLabel = "SECONDS", defaultValue = "20",
            description = "How long to wait after SIGTERM before killing (default ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Override
    public Integer call() throws InterruptedException {
        if (!rolling) {
            throw new ParameterException(spec.commandLine(), "cell restart needs --rolling (to restart every replica "
                    + "at once: cell down, then cell up)");
        }
        if (waitSeconds <= 0 || graceSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--wait must be positive and --grace not negative");
        }
        CliContext ctx = cell.ctx();
        PrintStream out = ctx.out();
        Path cellDir = cell.dir(dir);
        CellLayout layout = CellLayout.read(cellDir).orElseThrow(() -> new ParameterException(spec.commandLine(),
                "no cell in " + cellDir + " (start one with: chubby cell up --dir " + cellDir + ")"));
        TlsConfig tls = new TlsConfig(layout);
        ClientSecurity security = tls.present() ? tls.adminSecurity() : ClientSecurity.NONE;
        CellReadiness readiness = new CellReadiness(ctx.access(), security, ctx.waiter(), out);
        MasterInfo master = readiness.await(layout, Map.of(), Duration.ofSeconds(waitSeconds));
        List<Integer> order = new ArrayList<>();
        for (int i = 1; i <= layout.replicas(); i++) {
            if (i != master.masterId()) {
                order.add(i);
            }
        }
        order.add(master.masterId()); // the master last: one handoff in the whole restart
        out.println("rolling restart of " + layout.replicas() + " replicas in " + layout.dir() + ", order " + order);
        out.flush();
        ReplicaProcesses processes = new ReplicaProcesses(CellUpCommand.chubbyHome(ctx));
        long start = System.nanoTime();
        for (int k = 0; k < order.size(); k++) {
            int id = order.get(k);
            try {
                restart(ctx, layout, processes, readiness, security, id);
            } catch (RuntimeException e) {
                List<Integer> left = order.subList(k + 1, order.size());
                throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "rolling restart stopped at replica " + id + ": "
                        + e.getMessage() + (left.isEmpty() ? "" : "; not restarted: " + left));
            }
        }
        MasterInfo now = readiness.await(layout, Map.of(), Duration.ofSeconds(waitSeconds));
        out.println("cell restart: " + order.size() + " replicas restarted one by one in "
                + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms; master: replica " + now.masterId()
                + ", epoch " + now.epoch());
        out.flush();
        return 0;
    }

    private void restart(CliContext ctx, CellLayout layout, ReplicaProcesses processes, CellReadiness readiness,
                         ClientSecurity security, int id) throws InterruptedException {
        PrintStream out = ctx.out();
        long t0 = System.nanoTime();
        PidFile pidFile = new PidFile(layout.pidFile(id));
        Optional<ProcessHandle> running = pidFile.alive();
        String was = "not running";
        if (running.isPresent()) {
            boolean killed = ReplicaProcesses.stop(List.of(running.get()), Duration.ofSeconds(graceSeconds)).get(0);
            was = (killed ? "killed after " + graceSeconds + " s" : "stopped") + ", pid " + running.get().pid();
        }
        pidFile.delete();
        ProcessHandle started = processes.start(layout, id);
        out.println("replica " + id + ": " + was + "; started, pid " + started.pid());
        out.flush();
        readiness.await(layout, Map.of(id, started), Duration.ofSeconds(waitSeconds));
        String address = layout.clientAddresses().get(id - 1);
        ReplicaHealth.Healthy h = new ReplicaHealth(ctx.access(), security, ctx.waiter()).await(layout.clientAddresses(),
                address, Duration.ofSeconds(waitSeconds), layout.replicaDir(id).resolve("log").resolve("replica.log").toString());
        out.println("replica " + id + ": caught up at index " + h.applied() + " (master replica " + h.masterId()
                + ", epoch " + h.epoch() + ") in " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
        out.flush();
    }
}
