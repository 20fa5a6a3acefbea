package io.chubby.cli.internal.command;

import io.chubby.cli.internal.CliContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.nio.file.Path;

/**
 * {@code chubby cell up|down|restart|status|cert|move-master}: a local cell of replica processes on
 * loopback, and moving a group's master in any cell.
 */
@Command(name = "cell", description = "Start, stop and inspect a local cell of replica processes.",
        subcommands = {CellUpCommand.class, CellDownCommand.class, CellRestartCommand.class, CellStatusCommand.class,
                CellCertCommand.class, CellMoveMasterCommand.class})
public final class CellCommand implements Runnable {
    /** Where a local cell lives unless --dir says otherwise (relative to the working directory). */
    public static final String DEFAULT_DIR = "var/cell";

    @ParentCommand
    ChubbyCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: up, down, restart, status, cert or move-master");
    }

    CliContext ctx() {
        return root.ctx();
    }

    Path dir(String option) {
        return ctx().resolve(option == null ? DEFAULT_DIR : option);
    }
}
