package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.api.SessionState;
import io.chubby.cli.internal.Cli;
import io.chubby.client.ChubbyClient;
import io.chubby.client.Handle;
import io.chubby.client.Sequencer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * {@code chubby lock PATH [--shared] [--try] [--lock-delay S] -- COMMAND...}: acquires the node's
 * lock (creating the file if needed, and saying so on stderr), runs COMMAND with {@code CHUBBY_SEQUENCER} (base64) in its
 * environment, releases when it exits and exits with its exit code. If the session expires while
 * COMMAND runs, the lock is lost: COMMAND is killed and the exit is SESSION_EXPIRED (17).
 */
@Command(name = "lock", description = {"Hold a node's lock while COMMAND runs; exit with COMMAND's exit code.",
        "PATH is created (an empty file) if it does not exist; a line on stderr says so.",
        "COMMAND gets CHUBBY_SEQUENCER (base64) and CHUBBY_LOCK_GENERATION in its environment."})
public final class LockCommand implements Callable<Integer> {
    @ParentCommand
    ChubbyCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--shared", description = "Take the lock in SHARED mode (default EXCLUSIVE).")
    boolean shared;

    @Option(names = "--try", description = "Fail at once (exit 1) if the lock cannot be taken now.")
    boolean tryOnly;

    @Option(names = "--lock-delay", paramLabel = "SECONDS", defaultValue = "10",
            description = "Lock-delay if this process dies holding the lock, 0..60 (default: ${DEFAULT-VALUE}).")
    int lockDelaySeconds;

    @Option(names = "--wait", paramLabel = "SECONDS",
            description = {"Give up (exit 1) if the lock is not granted within SECONDS, 0 or more",
                    "(0: only if free now, like --try; default: wait forever)."})
    Integer waitSeconds;

    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "1..*", description = "The command to run (after --).")
    List<String> command;

    @Override
    public Integer call() throws InterruptedException {
        if (root.ctx().embedded()) {
            throw new ParameterException(spec.commandLine(), "lock runs a local command: not inside the shell");
        }
        if (lockDelaySeconds < 0 || lockDelaySeconds > 60) {
            throw new ParameterException(spec.commandLine(), "--lock-delay must be 0..60, was " + lockDelaySeconds);
        }
        if (tryOnly && waitSeconds != null) {
            throw new ParameterException(spec.commandLine(), "--try and --wait cannot be combined");
        }
        if (waitSeconds != null && waitSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--wait must be 0 or more seconds, was " + waitSeconds
                    + " (leave it out to wait forever)");
        }
        LockMode mode = shared ? LockMode.SHARED : LockMode.EXCLUSIVE;
        try (ChubbyClient c = root.connect();
             Handle h = c.open(path, OpenOptions.write().withCreate(CreateMode.MAY)
                     .withLockDelayMillis(lockDelaySeconds * 1000L))) {
            if (h.created()) {
                root.ctx().err().println("created " + path + " (an empty file: it did not exist)");
                root.ctx().err().flush();
            }
            boolean got = tryOnly ? h.tryAcquire(mode)
                    : h.acquire(mode, waitSeconds == null ? null : java.time.Duration.ofSeconds(waitSeconds));
            if (!got) {
                root.ctx().err().println("chubby: the lock on " + path + " is held by someone else"
                        + (tryOnly ? "" : " (gave up after " + waitSeconds + " s)"));
                root.ctx().err().flush();
                return Cli.FAILURE;
            }
            Sequencer s = h.getSequencer();
            return runHolding(c, h, s, command, path, root);
        }
    }

    /**
     * Runs the command while {@code h} holds the lock; releases afterwards. Stopped (SIGINT,
     * SIGTERM, any number of them): the command is killed and the lock released before the
     * session is closed ({@link ChubbyCommand#connect}).
     */
    static int runHolding(ChubbyClient c, Handle h, Sequencer s, List<String> command, String path,
                          ChubbyCommand root) throws InterruptedException {
        ChildSlot slot = new ChildSlot();
        Runnable unregister = root.ctx().waiter().onShutdown(() -> {
            slot.stop();
            h.release();
        });
        ChildProcess child;
        try {
            child = slot.start(command, Map.of("CHUBBY_SEQUENCER", s.toBase64(),
                    "CHUBBY_LOCK_GENERATION", Long.toString(s.generation()), "CHUBBY_LOCK_PATH", path),
                    root.ctx().workDir());
        } catch (RuntimeException e) {
            unregister.run();
            throw e;
        }
        AtomicBoolean lost = new AtomicBoolean();
        Consumer<SessionState> onSession = st -> {
            if (st == SessionState.EXPIRED && lost.compareAndSet(false, true)) {
                child.kill(); // the lock is gone: the command must not go on believing it holds it
            }
        };
        c.addSessionListener(onSession);
        try {
            int exit = child.waitFor();
            if (lost.get()) {
                throw new ChubbyException(ErrorCode.SESSION_EXPIRED, "session expired while the command ran: the lock on "
                        + path + " was lost and the command was stopped");
            }
            h.release();
            return exit;
        } finally {
            unregister.run();
            c.removeSessionListener(onSession);
            if (child.alive()) {
                child.kill();
            }
        }
    }
}
