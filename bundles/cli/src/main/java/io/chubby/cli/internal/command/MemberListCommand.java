package io.chubby.cli.internal.command;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code chubby member list}: see {@link MemberCommand}. */
@Command(name = "list", description = "Print the members as the master applied them, with their addresses.")
public final class MemberListCommand implements Callable<Integer> {
    @ParentCommand
    MemberCommand member;

    @Option(names = "--group", paramLabel = "G", description = "The Paxos group (partition), default 0.")
    Integer group;

    @Override
    public Integer call() {
        member.inMaster(member.line(group, "paxos:members"), Duration.ZERO);
        return 0;
    }
}
