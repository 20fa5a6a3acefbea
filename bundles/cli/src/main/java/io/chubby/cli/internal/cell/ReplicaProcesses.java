package io.chubby.cli.internal.cell;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts and stops replica processes of a local cell. A replica is {@code $CHUBBY_HOME/bin/chubby-server
 * <instance dir>}, started detached: its own session (via {@code setsid} when present, so terminal
 * signals to the CLI's process group do not reach it), stdin from /dev/null, stdout and stderr
 * appended to {@code log/console.log}; it outlives the CLI. Stateless apart from the home path.
 */
public final class ReplicaProcesses {
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private final Path chubbyHome;

    public ReplicaProcesses(Path chubbyHome) {
        this.chubbyHome = chubbyHome;
    }

    public Path serverScript() {
        return chubbyHome.resolve("bin").resolve("chubby-server");
    }

    /** The command line that starts replica {@code id}. */
    public List<String> command(CellLayout layout, int id) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            // The child is not a process-group leader, so setsid execs in place: the pid we record
            // is the server's.
            cmd.add(SETSID.toString());
        }
        cmd.add(serverScript().toString());
        cmd.add(layout.replicaDir(id).toString());
        return cmd;
    }

    /** Starts replica {@code id}, records its pid file and returns the process. */
    public ProcessHandle start(CellLayout layout, int id) {
        Path script = serverScript();
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException(script + " is missing or not executable (is CHUBBY_HOME "
                    + chubbyHome + " a built distribution?)");
        }
        ProcessBuilder pb = new ProcessBuilder(command(layout, id))
                .directory(layout.replicaDir(id).toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.consoleLog(id).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("CHUBBY_HOME", chubbyHome.toString());
        try {
            Process p = pb.start();
            new PidFile(layout.pidFile(id)).write(p.pid());
            return p.toHandle();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start replica " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sends SIGTERM to each process and its descendants (in case the start script did not exec),
     * waits up to {@code grace} for all of them together, then kills what is left.
     *
     * @return for each given process, whether it had to be killed forcibly
     */
    public static List<Boolean> stop(List<ProcessHandle> processes, Duration grace) {
        List<List<ProcessHandle>> trees = new ArrayList<>();
        for (ProcessHandle p : processes) {
            List<ProcessHandle> tree = new ArrayList<>();
            tree.add(p);
            p.descendants().forEach(tree::add);
            tree.forEach(ProcessHandle::destroy);
            trees.add(tree);
        }
        long deadline = System.nanoTime() + grace.toNanos();
        List<Boolean> forced = new ArrayList<>();
        for (List<ProcessHandle> tree : trees) {
            boolean killed = false;
            for (ProcessHandle h : tree) {
                if (!awaitExit(h, deadline - System.nanoTime())) {
                    h.destroyForcibly();
                    awaitExit(h, TimeUnit.SECONDS.toNanos(5));
                    killed = true;
                }
            }
            forced.add(killed);
        }
        return forced;
    }

    private static boolean awaitExit(ProcessHandle h, long nanos) {
        if (!h.isAlive()) {
            return true;
        }
        try {
            CompletableFuture<ProcessHandle> exit = h.onExit();
            exit.get(Math.max(0, nanos), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return !h.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !h.isAlive();
        } catch (java.util.concurrent.ExecutionException e) {
            return !h.isAlive();
        }
    }
}
