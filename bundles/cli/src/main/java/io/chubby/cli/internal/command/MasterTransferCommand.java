package io.chubby.cli.internal.command;

import io.chubby.api.MasterInfo;
import io.chubby.client.AdminResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code chubby master transfer [--to ID] [--group G]}: a planned change of master. The master
 * hands mastership to replica ID (or to a caught-up replica of its choice) without a lease wait:
 * it runs {@code paxos:transfer} in the master through the admin channel and prints what happened.
 */
@Command(name = "transfer", description = {"Hand the master's mastership to another replica (a planned failover:",
        "writes pause for a handoff, not for a lease and an election). Without --to the master picks a",
        "caught-up replica. A transfer to a named replica is kept there by master placement."})
public final class MasterTransferCommand implements Callable<Integer> {
    @ParentCommand
    MasterCommand master;

    @Option(names = "--to", paramLabel = "ID", description = "The replica id to hand over to (default: the master picks).")
    Integer to;

    @Option(names = "--group", paramLabel = "G", description = "The Paxos group (partition), default 0.")
    Integer group;

    @Override
    public Integer call() {
        ChubbyCommand root = master.root;
        MasterInfo m = root.locateMaster(root.cellAddresses());
        AdminResult r = root.ctx().access().admin(m.masterAddress(), commandLine(to, group), root.timeout(),
                root.security());
        AdminOutput.print(root.ctx().out(), r);
        if (r.status() != 0) {
            throw new IllegalStateException("master transfer failed in replica " + m.masterId() + " ("
                    + m.masterAddress() + ")");
        }
        return 0;
    }

    /** The Gogo line the master runs. */
    static String commandLine(Integer to, Integer group) {
        List<String> words = new ArrayList<>(List.of("paxos:transfer"));
        if (group != null) {
            words.add("--group");
            words.add(Integer.toString(group));
        }
        if (to != null) {
            words.add("--to");
            words.add(Integer.toString(to));
        }
        return String.join(" ", words);
    }
}
