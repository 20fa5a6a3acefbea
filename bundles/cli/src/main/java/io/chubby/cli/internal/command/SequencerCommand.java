package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.Sequencer;
import io.chubby.client.SequencerCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code chubby sequencer check|show SEQUENCER}: validate a sequencer with the cell, or decode it. */
@Command(name = "sequencer", description = "Check or show a lock sequencer (base64 or hex, as in CHUBBY_SEQUENCER).",
        subcommands = {SequencerCommand.Check.class, SequencerCommand.Show.class})
public final class SequencerCommand implements Runnable {
    @ParentCommand
    ChubbyCommand root;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: check or show");
    }

    /** Exit 0 and {@code valid: ...} when valid; else STALE_SEQUENCER (16), or INVALID_ARGUMENT (22) if forged. */
    @Command(name = "check", description = "Ask the cell whether SEQUENCER is still valid (exit 0) or not (exit 16, reason).")
    public static final class Check implements Callable<Integer> {
        @ParentCommand
        SequencerCommand parent;

        @Parameters(paramLabel = "SEQUENCER")
        String sequencer;

        @Override
        public Integer call() {
            Sequencer s;
            try {
                s = Sequencer.parse(sequencer);
            } catch (ChubbyException e) {
                throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "forged: " + e.detail());
            }
            try (ChubbyClient c = parent.root.connect()) {
                SequencerCheck r = c.checkSequencer(s.bytes());
                if (!r.valid()) {
                    throw new ChubbyException(r.reason().startsWith("forged") ? ErrorCode.INVALID_ARGUMENT
                            : ErrorCode.STALE_SEQUENCER, "sequencer not valid: " + r.reason());
                }
            }
            parent.root.ctx().out().println("valid: " + Show.describe(s));
            return 0;
        }
    }

    /** Decodes for display only (no authentication). */
    @Command(name = "show", description = "Print what SEQUENCER names (decoded locally, not verified).")
    public static final class Show implements Callable<Integer> {
        @ParentCommand
        SequencerCommand parent;

        @Parameters(paramLabel = "SEQUENCER")
        String sequencer;

        static String describe(Sequencer s) {
            return "path=" + s.path() + " mode=" + s.mode() + " generation=" + s.generation() + " instance="
                    + s.instance();
        }

        @Override
        public Integer call() {
            parent.root.ctx().out().println(describe(Sequencer.parse(sequencer)));
            return 0;
        }
    }
}
