package io.chubby.cli.internal.command;

import io.chubby.client.CacheMode;
import io.chubby.client.ChubbyClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/**
 * {@code chubby cat PATH}: a file's contents, raw, with nothing added. Read uncached: the command's
 * session ends right after, so it would only make writers wait for a cache nobody uses.
 */
@Command(name = "cat", description = "Write a file's contents to standard output, byte for byte.")
public final class CatCommand implements Callable<Integer> {
    @ParentCommand
    ChubbyCommand root;

    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    public Integer call() {
        try (ChubbyClient c = root.connect()) {
            byte[] data = c.read(path, CacheMode.UNCACHED);
            root.ctx().out().write(data, 0, data.length);
            root.ctx().out().flush();
        }
        return 0;
    }
}
