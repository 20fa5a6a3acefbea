package io.chubby.cli.internal.command;

import io.chubby.client.ClientSecurity;
import io.chubby.api.ChubbyException;
import io.chubby.client.AdminResult;
import io.chubby.client.ClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code chubby admin [--replica ADDR] COMMAND...}: runs a Gogo command line inside one replica
 * (by default the master, else the first replica that answers).
 */
@Command(name = "admin", description = "Run a Gogo shell command line inside a replica, e.g. 'admin lb' or 'admin chubby:status'.")
public final class AdminCommand implements Callable<Integer> {
    @ParentCommand
    ChubbyCommand root;

    @Option(names = "--replica", paramLabel = "HOST:PORT", description = "The replica to run it in (default: the master).")
    String replica;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The command line; words are joined with spaces (quote pipelines).")
    List<String> words;

    @Override
    public Integer call() {
        String target = replica;
        if (target == null) {
            List<String> cell = root.cellAddresses();
            try {
                target = root.locateMaster(cell).masterAddress();
            } catch (ChubbyException e) {
                // no master: an operator may be debugging exactly that, so try the first replica
                target = cell.get(0);
            }
        } else {
            ClientOptions.parseAddress(target);
        }
        AdminResult r = root.ctx().access().admin(target, commandLine(words), root.timeout(), root.security());
        AdminOutput.print(root.ctx().out(), r);
        if (r.status() != 0) {
            // Not a Chubby error: the call worked, the command inside did not (exit 1, like any failure).
            throw new IllegalStateException("admin command failed in " + target + " with status " + r.status());
        }
        return 0;
    }

    /**
     * Joins words with single spaces, like ssh: Gogo parses the result, so a quoted pipeline such
     * as {@code chubby admin 'lb | grep chubby'} reaches the shell intact.
     */
    static String commandLine(List<String> words) {
        return String.join(" ", words);
    }
}
