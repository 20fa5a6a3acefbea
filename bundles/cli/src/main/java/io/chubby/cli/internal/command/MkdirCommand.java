package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.client.ChubbyClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
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
            // each component created unless it exists (ensureDirectory: one Open with create MAY),
            // so a concurrent mkdir -p of the same tree never fails
            NodePath target = NodePath.parse(path);
            NodePath p = NodePath.root(target.cell());
            List<String> components = target.components();
            for (int i = 0; i < components.size(); i++) {
                p = p.child(components.get(i));
                try {
                    c.ensureDirectory(p.toString());
                } catch (ChubbyException e) {
                    if (e.code() == ErrorCode.EXISTS && i < components.size() - 1) {
                        throw new ChubbyException(ErrorCode.NOT_A_DIRECTORY, "cannot create " + path + ": " + p
                                + " is a file");
                    }
                    throw e;
                }
            }
        }
        return 0;
    }
}
