package io.chubby.cli.internal.command;

import io.chubby.api.OpenOptions;
import io.chubby.client.ChubbyClient;
import io.chubby.client.Handle;
import io.chubby.client.LockInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/** {@code chubby locks PATH}: the lock generation, holders, waiters (FIFO) and any lock-delay of a node. */
@Command(name = "locks", description = "Show who holds and who waits for a node's lock.")
public final class LocksCommand implements Callable<Integer> {
    @ParentCommand
    ChubbyCommand root;

    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    public Integer call() {
        try (ChubbyClient c = root.connect(); Handle h = c.open(path, OpenOptions.read())) {
            LockInfo info = h.lockInfo();
            PrintStream out = root.ctx().out();
            out.println("path: " + path);
            out.println("lock.generation: " + info.lockGeneration());
            out.println("state: " + (info.held() ? "held " + info.holders().get(0).mode()
                    : info.lockDelayRemainingMillis() > 0 ? "lock-delay" : "free"));
            info.holders().forEach(p -> out.println("holder: " + party(p)));
            info.waiters().forEach(p -> out.println("waiter: " + party(p)));
            if (info.lockDelayRemainingMillis() > 0) {
                out.println("lock-delay.remaining.ms: " + info.lockDelayRemainingMillis());
            }
        }
        return 0;
    }

    static String party(LockInfo.Party p) {
        return "session=" + p.sessionId() + " handle=" + p.handleId() + " mode=" + p.mode() + " client="
                + (p.clientName().isEmpty() ? "-" : p.clientName());
    }
}
