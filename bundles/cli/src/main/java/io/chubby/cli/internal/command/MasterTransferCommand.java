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
 * For a group other than 0 that is the group's own master ({@link #transfer}); {@code cell
 * move-master} is the same operation.
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
        return transfer(master.root, to, group);
    }

    /**
     * Runs {@code paxos:transfer} in the master of {@code group} (0 when null): group 0's master
     * as MasterLocation names it; in a partitioned cell another group's master as the replicas'
     * Status answers name it (each group has its own master, and only it can hand the group
     * over); in a cell of one partition group 0's master, which answers that the group is not open.
     * Shared by {@code master transfer} and {@code cell move-master}.
     */
    static int transfer(ChubbyCommand root, Integer to, Integer group) {
        int g = group == null ? 0 : group;
        List<String> addresses = root.cellAddresses();
        List<GroupMasters.Located> groups = g == 0 ? List.of() : GroupMasters.of(addresses,
                CellStatusCommand.probeUntilOneAnswers(root.ctx().access(), root.security(), addresses, root.timeout()));
        String address;
        int id;
        if (groups.isEmpty()) { // group 0, or a cell of one partition (whose master says the group is not open)
            MasterInfo m = root.locateMaster(addresses);
            address = m.masterAddress();
            id = m.masterId();
        } else {
            GroupMasters.Located m = GroupMasters.master(g, groups);
            address = m.address();
            id = m.masterId();
        }
        AdminResult r = root.ctx().access().admin(address, commandLine(to, group), root.timeout(), root.security());
        AdminOutput.print(root.ctx().out(), r);
        if (r.status() != 0) {
            throw new IllegalStateException("master transfer failed in replica " + id + " (" + address + ")");
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
