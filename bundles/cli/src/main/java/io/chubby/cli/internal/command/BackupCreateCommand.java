package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.client.AdminResult;
import io.chubby.client.ClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code chubby backup create --to DIR [--replica HOST:PORT]}: runs {@code store:backup --to DIR}
 * in a replica through the admin channel. Without {@code --replica}: a follower (the first other
 * than the master that answers), else the master, so the master's work is not slowed.
 */
@Command(name = "create", description = {"Take an online backup of a replica's state (it keeps serving) into a new",
        "directory in DIR, on the replica's machine (DIR is created when missing). Default replica: a",
        "follower that answers, else the master. Prints the backup's directory, applied index and size."})
public final class BackupCreateCommand implements Callable<Integer> {
    @ParentCommand
    BackupCommand backup;

    @Option(names = "--to", required = true, paramLabel = "DIR", description = "Directory on the replica's machine the backup goes into.")
    String to;

    @Option(names = "--replica", paramLabel = "HOST:PORT", description = "The replica to back up (default: a follower).")
    String replica;

    @Override
    public Integer call() {
        ChubbyCommand root = backup.root;
        if (to.isBlank() || to.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("--to needs a directory without spaces, got '" + to + "'");
        }
        List<String> targets = targets(root);
        ChubbyException unreachable = null;
        for (String target : targets) {
            AdminResult r;
            try {
                r = root.ctx().access().admin(target, commandLine(to), root.timeout(), root.security());
            } catch (ChubbyException e) {
                unreachable = e;
                continue;
            }
            AdminOutput.print(root.ctx().out(), r);
            if (r.status() != 0) {
                throw new IllegalStateException("backup failed in " + target + " with status " + r.status());
            }
            return 0;
        }
        throw unreachable;
    }

    /** The replicas to try, in order: the given one, or the followers then the master. */
    private List<String> targets(ChubbyCommand root) {
        if (replica != null) {
            ClientOptions.parseAddress(replica);
            return List.of(replica);
        }
        List<String> cell = root.cellAddresses();
        String master;
        try {
            master = root.locateMaster(cell).masterAddress();
        } catch (ChubbyException e) {
            return cell;
        }
        List<String> order = new ArrayList<>(cell);
        order.remove(master);
        order.add(master);
        return order;
    }

    /** The Gogo line the replica runs. */
    static String commandLine(String to) {
        return "store:backup --to " + to;
    }
}
