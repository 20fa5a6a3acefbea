package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.OpenOptions;
import io.chubby.api.SessionState;
import io.chubby.cli.internal.CliContext;
import io.chubby.api.Stat;
import io.chubby.client.ChubbyClient;
import io.chubby.client.Handle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code chubby put PATH VALUE|-}: write a file whole, creating it if needed. With {@code --cas}
 * the write only happens if the content generation still matches; with {@code --ephemeral} the
 * file is ephemeral and exists only while this command holds it open.
 */
@Command(name = "put", description = "Write a file whole (VALUE, or standard input when VALUE is '-'); creates it if missing.")
public final class PutCommand implements Callable<Integer> {
    /** How often a hold checks that the session (and so the node) still exists. */
    private static final long CHECK_MS = 1000;

    @ParentCommand
    ChubbyCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--cas", paramLabel = "GENERATION",
            description = {"Write only if the file's content generation is still GENERATION (else CAS_MISMATCH).",
                    "Never creates the file (NO_SUCH_NODE if it does not exist)."})
    Long cas;

    @Option(names = "--ephemeral",
            description = "Create an ephemeral file, held open until the command is stopped (Ctrl-C) or --hold ends.")
    boolean ephemeral;

    @Option(names = "--hold", paramLabel = "SECONDS",
            description = "With --ephemeral: hold the file this many seconds, then exit (releasing it).")
    Integer holdSeconds;

    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Parameters(index = "1", paramLabel = "VALUE", description = "The contents, or '-' to read standard input.")
    String value;

    @Override
    public Integer call() {
        validate();
        byte[] data = contents();
        try (ChubbyClient c = root.connect()) {
            if (ephemeral) {
                holdEphemeral(c, data);
            } else if (cas != null) {
                try (Handle h = openForCas(c)) {
                    h.setContents(data, cas);
                }
            } else {
                c.write(path, data);
            }
        }
        return 0;
    }

    /** --cas compares with a generation the file has: it never creates one (NO_SUCH_NODE, saying so). */
    private Handle openForCas(ChubbyClient c) {
        try {
            return c.open(path, OpenOptions.write());
        } catch (ChubbyException e) {
            if (e.code() == ErrorCode.NO_SUCH_NODE) {
                throw new ChubbyException(ErrorCode.NO_SUCH_NODE, e.detail() + ": put --cas never creates a file"
                        + " (put without --cas does)", e);
            }
            throw e;
        }
    }

    private void validate() {
        if (holdSeconds != null && !ephemeral) {
            throw new ParameterException(spec.commandLine(), "--hold needs --ephemeral");
        }
        if (holdSeconds != null && holdSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--hold must not be negative");
        }
        if (ephemeral && cas != null) {
            throw new ParameterException(spec.commandLine(), "--cas and --ephemeral cannot be combined");
        }
        if (ephemeral && holdSeconds == null && root.ctx().embedded()) {
            throw new ParameterException(spec.commandLine(), "inside the shell, --ephemeral needs --hold SECONDS");
        }
        if (cas != null && cas < 0) {
            throw new ParameterException(spec.commandLine(), "--cas must not be negative");
        }
    }

    private byte[] contents() {
        if (!"-".equals(value)) {
            return value.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return root.ctx().in().readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
        }
    }

    /** Attempts of the ephemeral Open whose outcome the cell could not tell (a failover in between). */
    static final int EPHEMERAL_OPEN_ATTEMPTS = 5;

    private void holdEphemeral(ChubbyClient c, byte[] data) {
        Handle h = openEphemeral(c, data);
        try {
            if (!h.created() && !h.openStat().ephemeral()) {
                throw new ChubbyException(ErrorCode.EXISTS, path + " exists and is not ephemeral");
            }
            Stat s = h.created() ? h.openStat() : h.setContents(data);
            root.ctx().out().println("holding ephemeral " + path + " (content.generation " + s.contentGeneration()
                    + ")" + (holdSeconds == null ? "; stop with Ctrl-C to release" : " for " + holdSeconds + " s"));
            root.ctx().out().flush();
            hold(c, () -> release(h, c));
        } finally {
            h.close();
        }
    }

    /**
     * Opens {@code path} create-if-missing, ephemeral, with {@code data}. An answer of
     * OUTCOME_UNKNOWN (the master changed before the Open was known to commit) is safe to send
     * again here: if the lost attempt created the file, it is this session's ephemeral file, and
     * the next Open finds it (not created, ephemeral) and writes {@code data} into it, which is what
     * the command promised; its handle, if any, ends with the session.
     */
    private Handle openEphemeral(ChubbyClient c, byte[] data) {
        OpenOptions o = OpenOptions.write().withCreate(CreateMode.MAY).withEphemeral(true).withInitialContents(data);
        for (int attempt = 1; ; attempt++) {
            try {
                return c.open(path, o);
            } catch (ChubbyException e) {
                if (e.code() != ErrorCode.OUTCOME_UNKNOWN || attempt == EPHEMERAL_OPEN_ATTEMPTS) {
                    throw e;
                }
                root.ctx().err().println("chubby: " + path + ": outcome of the ephemeral open unknown ("
                        + e.getMessage() + "); opening again (create-if-missing is safe to repeat)");
            }
        }
    }

    /**
     * Holds until --hold runs out, forever without it (until the process is stopped: the shutdown
     * hook releases the node), or until the session expires, which means the node is gone and is
     * reported as SESSION_EXPIRED. An interrupt ends the hold normally.
     */
    private void hold(ChubbyClient c, Runnable release) {
        CliContext.Waiter waiter = root.ctx().waiter();
        Runnable unregister = waiter.onShutdown(release);
        try {
            long remainingMs = holdSeconds == null ? Long.MAX_VALUE : holdSeconds * 1000L;
            while (remainingMs > 0) {
                long step = Math.min(remainingMs, CHECK_MS);
                waiter.sleep(Duration.ofMillis(step));
                remainingMs -= step;
                if (c.sessionState() == SessionState.EXPIRED) {
                    throw new ChubbyException(ErrorCode.SESSION_EXPIRED,
                            "the session expired: " + path + " is no longer held");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            unregister.run();
        }
    }

    /**
     * Runs in a shutdown hook: waits (briefly) for the server to confirm the close so the node is
     * gone when the process exits, instead of when the session lease runs out.
     */
    private static void release(Handle h, ChubbyClient c) {
        try {
            h.closeAsync().get(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // best effort: the session's expiry removes the node anyway
        }
        c.close();
    }
}
