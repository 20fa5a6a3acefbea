package io.chubby.cli.internal.command;

import io.chubby.api.MasterInfo;
import io.chubby.client.AdminResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code chubby mirror status|confirm}: the mirrors of the cell (bundles/mirror), which run on its
 * master: each subcommand runs a {@code mirror:} Gogo command there through the admin channel.
 */
@Command(name = "mirror", subcommands = {MirrorStatusCommand.class, MirrorConfirmCommand.class},
        description = {"The cell's mirrors of other cells' subtrees (optional bundle io.chubby.mirror),",
                "as the master runs them."})
public final class MirrorCommand implements Runnable {
    @ParentCommand
    ChubbyCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: status or confirm");
    }

    /** Runs {@code line} in the master, prints its output; a failed status fails the command. */
    int runInMaster(String line) {
        MasterInfo m = root.locateMaster(root.cellAddresses());
        AdminResult r = root.ctx().access().admin(m.masterAddress(), line, root.timeout(), root.security());
        AdminOutput.print(root.ctx().out(), r);
        if (r.status() != 0) {
            throw new IllegalStateException(line + " failed in replica " + m.masterId() + " (" + m.masterAddress() + ")");
        }
        return 0;
    }
}
