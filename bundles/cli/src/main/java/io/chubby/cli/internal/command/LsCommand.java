package io.chubby.cli.internal.command;

import io.chubby.api.DirEntry;
import io.chubby.client.ChubbyClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/** {@code chubby ls [-l] PATH}: the children of a directory. */
@Command(name = "ls", description = "List a directory: one name per line, directories end in '/'.")
public final class LsCommand implements Callable<Integer> {
    @ParentCommand
    ChubbyCommand root;

    @Option(names = "-l", description = "Long listing: type+ephemeral, size, content generation, modified, name.")
    boolean longFormat;

    @Parameters(paramLabel = "PATH", description = "A directory, e.g. /ls/local/demo.")
    String path;

    @Override
    public Integer call() {
        try (ChubbyClient c = root.connect()) {
            PrintStream out = root.ctx().out();
            for (DirEntry e : c.list(path)) {
                out.println(longFormat ? Formats.longEntry(e) : Formats.shortEntry(e));
            }
        }
        return 0;
    }
}
