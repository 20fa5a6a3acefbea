package io.chubby.cli.internal.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code chubby cell move-master --group G [--to ID]}: the name docs/PARTITIONING.md gives
 * {@code chubby master transfer --group G [--to ID]}, the same operation
 * ({@link MasterTransferCommand#transfer}): group G's master hands it to replica ID, or to a
 * caught-up replica of its choice.
 */
@Command(name = "move-master", description = {"Move the mastership of one Paxos group (partition) to another replica:",
        "the same as 'master transfer --group G [--to ID]'. Without --to the group's master picks a caught-up",
        "replica; a move to a named replica is kept there by master placement."})
public final class CellMoveMasterCommand implements Callable<Integer> {
    @ParentCommand
    CellCommand cell;

    @Option(names = "--group", paramLabel = "G", required = true, description = "The Paxos group (partition); 0 in a cell of one partition.")
    int group;

    @Option(names = "--to", paramLabel = "ID", description = "The replica id to move it to (default: the group's master picks).")
    Integer to;

    @Override
    public Integer call() {
        return MasterTransferCommand.transfer(cell.root, to, group);
    }
}
