package io.chubby.cli.internal.command;

import io.chubby.client.ChubbyClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code chubby stat PATH}: every metadata field of a node, and its partition in a partitioned cell. */
@Command(name = "stat", description = "Print every metadata field of a node, one 'key: value' per line "
        + "(and 'partition: P' in a cell of more than one partition).")
public final class StatCommand implements Callable<Integer> {
    @ParentCommand
    ChubbyCommand root;

    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    public Integer call() {
        try (ChubbyClient c = root.connect()) {
            Formats.statLines(path, c.stat(path), c.partitions()).forEach(root.ctx().out()::println);
        }
        return 0;
    }
}
