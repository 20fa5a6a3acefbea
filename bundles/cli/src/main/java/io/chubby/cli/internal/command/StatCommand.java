package io.chubby.cli.internal.command;

import io.chubby.client.ChubbyClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code chubby stat PATH}: every metadata field of a node. */
@Command(name = "stat", description = "Print every metadata field of a node, one 'key: value' per line.")
public final class StatCommand implements Callable<Integer> {
    @ParentCommand
    ChubbyCommand root;

    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    public Integer call() {
        try (ChubbyClient c = root.connect()) {
            Formats.statLines(path, c.stat(path)).forEach(root.ctx().out()::println);
        }
        return 0;
    }
}
