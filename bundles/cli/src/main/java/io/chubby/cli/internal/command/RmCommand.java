package io.chubby.cli.internal.command;

import io.chubby.api.DirEntry;
import io.chubby.api.NodePath;
import io.chubby.client.ChubbyClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code chubby rm [-r] PATH}: delete a node. */
@Command(name = "rm", description = "Delete a file or an empty directory (with -r: a directory and everything below it).")
public final class RmCommand implements Callable<Integer> {
    @ParentCommand
    ChubbyCommand root;

    @Option(names = {"-r", "-R"}, description = "Delete directories recursively, children first.")
    boolean recursive;

    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    public Integer call() {
        try (ChubbyClient c = root.connect()) {
            if (recursive) {
                deleteTree(c, NodePath.parse(path));
            } else {
                c.delete(path);
            }
        }
        return 0;
    }

    // Not atomic: the cell has no multi-node delete, so a concurrent writer can make this fail
    // with NOT_EMPTY; what was deleted before that stays deleted.
    private static void deleteTree(ChubbyClient c, NodePath p) {
        if (c.stat(p.toString()).directory()) {
            for (DirEntry e : c.list(p.toString())) {
                deleteTree(c, p.child(e.name()));
            }
        }
        c.delete(p.toString());
    }
}
