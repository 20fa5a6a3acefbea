package io.chubby.cli.internal.command;

import io.chubby.client.ChubbyClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code chubby session}: creates a session (as every command does), prints its id, state and the
 * lease the master granted as the client sees it (local lease left), then closes it.
 */
@Command(name = "session", description = "Create a session and print its id, state and local lease left (ms).")
public final class SessionCommand implements Callable<Integer> {
    @ParentCommand
    ChubbyCommand root;

    @Override
    public Integer call() {
        try (ChubbyClient c = root.connect()) {
            root.ctx().out().println("session=" + Long.toUnsignedString(c.sessionId()) + " state=" + c.sessionState()
                    + " lease_remaining_ms=" + c.localLeaseRemainingMillis());
        }
        return 0;
    }
}
