package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.ClientSecurity;
import io.chubby.client.Identity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code chubby whoami}: who the cell takes this command to be, from one replica's HelloReply (no
 * session: it works for a principal that may not create one). Prints
 * {@code PRINCIPAL (MECHANISM)}, e.g. {@code admin (TLS certificate)}, {@code bob (password)},
 * {@code anonymous (nothing proved)}. A refused login exits 14 (PERMISSION_DENIED) at once.
 */
@Command(name = "whoami", description = {"Print who the cell takes you to be: the principal and how it was "
        + "established (TLS certificate, password, or nothing: anonymous)."})
public final class WhoamiCommand implements Callable<Integer> {
    @ParentCommand
    ChubbyCommand root;

    @Override
    public Integer call() {
        List<String> replicas = root.cellAddresses();
        Duration timeout = root.timeout();
        ClientSecurity security = root.security(); // a bad file fails here, once, not per try
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMs = ChubbyCommand.RETRY_FIRST_MS;
        String last = null;
        while (true) {
            for (String r : replicas) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs < ChubbyCommand.MIN_TRY_MS) {
                    break;
                }
                try {
                    Identity id = root.ctx().access().whoami(r, Duration.ofMillis(leftMs), security);
                    root.ctx().out().println(id.principal() + " (" + words(id.mechanism()) + ")");
                    return 0;
                } catch (ChubbyException e) {
                    if (e.code() == ErrorCode.PERMISSION_DENIED) {
                        throw e; // the same credentials everywhere: no other replica will say otherwise
                    }
                    last = e.getMessage();
                }
            }
            backoffMs = ChubbyCommand.pause(deadline, backoffMs);
            if (backoffMs < 0) {
                throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "no replica of " + String.join(",", replicas)
                        + " answered within " + timeout.toSeconds() + " s (--timeout)"
                        + (last == null ? "" : "; last: " + last));
            }
        }
    }

    static String words(Identity.Mechanism m) {
        return switch (m) {
            case TLS_CERTIFICATE -> "TLS certificate";
            case PASSWORD -> "password";
            case NONE -> "nothing proved";
        };
    }
}
