package io.chubby.cli.internal.command;

import io.chubby.api.MasterInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code chubby master}: where the master is, asked of the replicas without a session (in a
 * partitioned cell group 0's, then a line per group from the replicas' Status answers);
 * {@code chubby master transfer}: a planned change of master ({@link MasterTransferCommand}).
 */
@Command(name = "master", subcommands = MasterTransferCommand.class,
        description = {"Print the master's client address, epoch and replica id.",
        "epoch = 256 x the election round + the master's replica id (513: round 2, replica 1): it grows",
        "with every election, and its low byte says who won. In a partitioned cell that line is group 0's",
        "master, followed by one line per group: group=G master=ID address=A epoch=E."})
public final class MasterCommand implements Callable<Integer> {
    @ParentCommand
    ChubbyCommand root;

    @Override
    public Integer call() {
        MasterInfo m = root.locateMaster(root.cellAddresses());
        root.ctx().out().println(m.masterAddress() + " epoch=" + m.epoch() + " replica=" + m.masterId());
        if (m.partitions() > 1) {
            List<String> addresses = root.cellAddresses();
            GroupMasters.of(addresses, CellStatusCommand.probeUntilOneAnswers(root.ctx().access(), root.security(),
                    addresses, root.timeout())).forEach(g -> root.ctx().out().println(g.line()));
        }
        return 0;
    }
}
