package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.client.ChubbyClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code chubby mkdir [-p] PATH}: create a directory. */
@Command(name = "mkdir", description = "Create a directory (fails with EXISTS if the name exists, unless -p).")
public final class MkdirCommand implements Callable<Integer> {
    @ParentCommand
    ChubbyCommand root;

    @Option(names = "-p", description = "Create missing parents too; an existing directory is not an error.")
    boolean parents;

    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    public Integer call() {
        try (ChubbyClient c = root.connect()) {
            if (!parents) {
                c.mkdir(path);
                return 0;
            }
            NodePath target = NodePath.parse(path);
            NodePath p = NodePath.root(target.cell());
            for (String component : target.components()) {
                p = p.child(component);
                ensureDirectory(c, p.toString());
            }
        }
        return 0;
    }

    private static void ensureDirectory(ChubbyClient c, String dir) {
        try {
            c.mkdir(dir);
        } catch (ChubbyException e) {
            if (e.code() != ErrorCode.EXISTS) {
                throw e;
            }
            if (!c.stat(dir).directory()) {
                throw new ChubbyException(ErrorCode.NOT_A_DIRECTORY, dir + " exists and is a file");
            }
        }
    }
}
