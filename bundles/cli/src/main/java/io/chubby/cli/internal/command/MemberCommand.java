package io.chubby.cli.internal.command;

import io.chubby.api.MasterInfo;
import io.chubby.client.AdminResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code chubby member add|remove|replace|list}: changes the members of a running cell one replica
 * at a time (issue 19) by running {@code paxos:member} / {@code paxos:members} in the master through
 * the admin channel, as {@code chubby master transfer} runs {@code paxos:transfer}.
 */
@Command(name = "member", subcommands = {MemberAddCommand.class, MemberRemoveCommand.class,
        MemberReplaceCommand.class, MemberListCommand.class},
        description = {"Change the replicas of a running cell, one at a time.",
        "A replica to add is started first with paxos.join=true (an empty data directory); the master",
        "replicates to it until it is caught up, then makes it a member."})
public final class MemberCommand implements Runnable {
    /** An add waits for the new replica to catch up (at most 60 s in the master): the admin call waits longer. */
    static final Duration CATCH_UP_ALLOWANCE = Duration.ofSeconds(75);

    @ParentCommand
    ChubbyCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--group", paramLabel = "G", description = "The Paxos group (partition), default 0.")
    Integer group;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: add, remove, replace or list");
    }

    /** {@code paxos:member add} in the master (it waits for the replica to catch up). */
    void add(Integer group, int id, String peer, String client) {
        inMaster(line(group, "paxos:member", "add", Integer.toString(id), peer, client), CATCH_UP_ALLOWANCE);
    }

    /** {@code paxos:member remove} in the master. */
    void remove(Integer group, int id) {
        inMaster(line(group, "paxos:member", "remove", Integer.toString(id)), Duration.ZERO);
    }

    /** Runs one Gogo line in the master (found anew: a removal may have moved it) and prints its output. */
    void inMaster(String commandLine, Duration extra) {
        MasterInfo m = root.locateMaster(root.cellAddresses());
        AdminResult r = root.ctx().access().admin(m.masterAddress(), commandLine, root.timeout().plus(extra),
                root.security());
        AdminOutput.print(root.ctx().out(), r);
        if (r.status() != 0) {
            throw new IllegalStateException("'" + commandLine + "' failed in replica " + m.masterId() + " ("
                    + m.masterAddress() + ")");
        }
    }

    /** The Gogo line: {@code words}, then {@code --group G} when given. */
    String line(Integer group, String... words) {
        List<String> out = new ArrayList<>(List.of(words));
        Integer g = group != null ? group : this.group;
        if (g != null) {
            out.add("--group");
            out.add(Integer.toString(g));
        }
        return String.join(" ", out);
    }
}
