package io.chubby.cli.internal.command;

import io.chubby.cli.internal.CliContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code chubby dist assemble}: distributions with the features a site needs. */
@Command(name = "dist", description = "Assemble a distribution with only the features a site needs.",
        subcommands = {DistAssembleCommand.class})
public final class DistCommand implements Runnable {
    @ParentCommand
    ChubbyCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: assemble");
    }

    CliContext ctx() {
        return root.ctx();
    }
}
