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

    @Option(names = "-l", description = {"Long listing, after a header line: TE (T: d directory, - file; E: e ephemeral, - not),",
            "SIZE in bytes, GEN (content generation), MODIFIED (ISO-8601 UTC), NAME."})
    boolean longFormat;

    @Parameters(paramLabel = "PATH", description = "A directory, e.g. /ls/local/demo.")
    String path;

    @Override
    public Integer call() {
        try (ChubbyClient c = root.connect()) {
            PrintStream out = root.ctx().out();
            java.util.List<DirEntry> entries = c.list(path);
            if (longFormat) {
                out.println(Formats.LONG_HEADER);
            }
            for (DirEntry e : entries) {
                out.println(longFormat ? Formats.longEntry(e) : Formats.shortEntry(e));
            }
        }
        return 0;
    }
}
