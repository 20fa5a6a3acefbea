package io.chubby.cli.internal.command;

import io.chubby.cli.internal.cell.CellLayout;
import io.chubby.cli.internal.cell.PidFile;
import io.chubby.cli.internal.cell.ReplicaProcesses;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code chubby cell down}: SIGTERM every running replica, wait, then kill what is left. Data stays. */
@Command(name = "down", description = "Stop every replica of a local cell (SIGTERM, then SIGKILL after --grace). Data is kept.")
public final class CellDownCommand implements Callable<Integer> {
    @ParentCommand
    CellCommand cell;

    @Option(names = "--dir", paramLabel = "DIR", description = "Directory of the cell (default ./" + CellCommand.DEFAULT_DIR + ").")
    String dir;

    @Option(names = "--grace", paramLabel = "SECONDS", defaultValue = "20",
            description = "How long to wait after SIGTERM before killing (default ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Override
    public Integer call() {
        PrintStream out = cell.ctx().out();
        Path cellDir = cell.dir(dir);
        Optional<CellLayout> found = CellLayout.read(cellDir);
        if (found.isEmpty()) {
            out.println("no cell in " + cellDir + ": nothing to stop");
            return 0;
        }
        CellLayout layout = found.get();
        List<Integer> ids = new ArrayList<>();
        List<ProcessHandle> running = new ArrayList<>();
        for (int i = 1; i <= layout.replicas(); i++) {
            PidFile pf = new PidFile(layout.pidFile(i));
            Optional<ProcessHandle> p = pf.alive();
            if (p.isPresent()) {
                ids.add(i);
                running.add(p.get());
            } else {
                pf.delete(); // stale or missing: nothing to signal
                out.println("replica " + i + ": not running");
            }
        }
        List<Boolean> forced = ReplicaProcesses.stop(running, Duration.ofSeconds(Math.max(0, graceSeconds)));
        for (int k = 0; k < ids.size(); k++) {
            int id = ids.get(k);
            new PidFile(layout.pidFile(id)).delete();
            out.println("replica " + id + ": " + (forced.get(k) ? "killed after " + graceSeconds + " s" : "stopped")
                    + ", pid " + running.get(k).pid());
        }
        out.println("cell down: " + ids.size() + " replica(s) stopped, data kept in " + layout.dir());
        return 0;
    }
}
