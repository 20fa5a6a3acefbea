package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.LeaderElection;
import io.chubby.client.Sequencer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code chubby elect PATH --id ID [--lock-delay S] [-- COMMAND...]}: campaigns with the client's
 * {@link LeaderElection} recipe. Prints {@code leader: ID} whenever the leader changes and
 * {@code leading PATH as ID (generation G)} on winning. With COMMAND: runs it once leading (with
 * CHUBBY_SEQUENCER), steps down when it exits and exits with its code; losing leadership kills it
 * (exit STALE_SEQUENCER, 16). Without COMMAND: leads until stopped (Ctrl-C steps down). A campaign
 * that fails (the recipe could not write its record and released the lock, or the session
 * expired) exits with its error code and one line. Stopped (SIGINT/SIGTERM, any number of them):
 * COMMAND is killed, leadership given up and the lock released, then the session closed.
 */
@Command(name = "elect", description = {"Campaign for leadership on PATH; print when leading; run COMMAND while leader.",
        "Without COMMAND: lead until stopped (Ctrl-C)."})
public final class ElectCommand implements Callable<Integer> {
    @ParentCommand
    ChubbyCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "This candidate's identity (written into PATH).")
    String id;

    @Option(names = "--lock-delay", paramLabel = "SECONDS", defaultValue = "10",
            description = "Lock-delay of the election lock, 0..60 (default: ${DEFAULT-VALUE}).")
    int lockDelaySeconds;

    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "0..*", description = "Run while leader (after --).")
    List<String> command;

    @Override
    public Integer call() throws InterruptedException {
        if (root.ctx().embedded()) {
            throw new ParameterException(spec.commandLine(), "elect campaigns until stopped: not inside the shell");
        }
        if (lockDelaySeconds < 0 || lockDelaySeconds > 60) {
            throw new ParameterException(spec.commandLine(), "--lock-delay must be 0..60, was " + lockDelaySeconds);
        }
        PrintStream out = root.ctx().out();
        CountDownLatch lost = new CountDownLatch(1);
        ChildSlot child = new ChildSlot();
        try (ChubbyClient c = root.connect();
             LeaderElection e = new LeaderElection(c, path, id, Duration.ofMillis(500), lockDelaySeconds * 1000L)) {
            e.addListener(new LeaderElection.Listener() {
                @Override
                public void leadershipChanged(boolean leader) {
                    if (!leader) {
                        out.println("not leading " + path + " any more");
                        out.flush();
                        lost.countDown();
                    }
                }

                @Override
                public void leaderChanged(Optional<String> leader) {
                    out.println("leader: " + leader.orElse("-"));
                    out.flush();
                }
            });
            Runnable unregister = root.ctx().waiter().onShutdown(() -> {
                child.stop(); // COMMAND must not outlive the leadership it was started under
                e.close();
            });
            try {
                e.start();
                while (!e.awaitLeadership(Duration.ofSeconds(1))) { // throws the campaign's failure
                    if (root.ctx().waiter().stopping()) {
                        throw new ChubbyException(ErrorCode.CANCELLED, "stopped while campaigning");
                    }
                }
                Sequencer s = e.sequencer().orElseThrow(() -> new ChubbyException(ErrorCode.STALE_SEQUENCER,
                        "leadership of " + path + " ended at once"));
                out.println("leading " + path + " as " + id + " (generation " + s.generation() + ")");
                out.flush();
                if (command == null || command.isEmpty()) {
                    lost.await();
                    throw new ChubbyException(ErrorCode.STALE_SEQUENCER, "leadership of " + path + " was lost");
                }
                return runWhileLeader(s, lost, child);
            } finally {
                unregister.run();
            }
        }
    }

    private int runWhileLeader(Sequencer s, CountDownLatch lost, ChildSlot slot) throws InterruptedException {
        ChildProcess child = slot.start(command, Map.of("CHUBBY_SEQUENCER", s.toBase64(),
                "CHUBBY_LOCK_GENERATION", Long.toString(s.generation()), "CHUBBY_LOCK_PATH", path,
                "CHUBBY_LEADER_ID", id), root.ctx().workDir());
        Thread watcher = new Thread(() -> {
            try {
                lost.await();
                child.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "chubby-elect-watch");
        watcher.setDaemon(true);
        watcher.start();
        try {
            int exit = child.waitFor();
            if (lost.getCount() == 0) {
                throw new ChubbyException(ErrorCode.STALE_SEQUENCER, "leadership of " + path
                        + " was lost: the command was stopped");
            }
            return exit;
        } finally {
            watcher.interrupt();
            if (child.alive()) {
                child.kill();
            }
        }
    }
}
