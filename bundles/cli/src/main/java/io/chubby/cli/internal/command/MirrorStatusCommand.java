package io.chubby.cli.internal.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code chubby mirror status}: runs {@code mirror:status} in the master. */
@Command(name = "status", description = {"One line per mirror: source, target, state (standby, connecting,",
        "reconciling, streaming, cut_off, refused), lag in events and ms, last reconciliation."})
public final class MirrorStatusCommand implements Callable<Integer> {
    @ParentCommand
    MirrorCommand mirror;

    @Override
    public Integer call() {
        return mirror.runInMaster("mirror:status");
    }
}
