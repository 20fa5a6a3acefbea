package io.chubby.cli.internal.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code chubby mirror confirm NAME}: runs {@code mirror:confirm NAME} in the master. */
@Command(name = "confirm", description = {"Accept mirror NAME's source root as it is now, so a reconciliation may",
        "remove more nodes than the mirror's removal cap (see its status line)."})
public final class MirrorConfirmCommand implements Callable<Integer> {
    @ParentCommand
    MirrorCommand mirror;

    @Parameters(paramLabel = "NAME", description = "The mirror's name (mirror.name).")
    String name;

    @Override
    public Integer call() {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("bad mirror name '" + name + "'");
        }
        return mirror.runInMaster("mirror:confirm " + name);
    }
}
