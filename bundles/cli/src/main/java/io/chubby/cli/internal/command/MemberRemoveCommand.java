package io.chubby.cli.internal.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code chubby member remove}: see {@link MemberCommand}. */
@Command(name = "remove", description = "Remove replica ID from the members.")
public final class MemberRemoveCommand implements Callable<Integer> {
    @ParentCommand
    MemberCommand member;

    @Option(names = "--group", paramLabel = "G", description = "The Paxos group (partition), default 0.")
    Integer group;

    @Parameters(index = "0", paramLabel = "ID")
    int id;

    @Override
    public Integer call() {
        member.remove(group, id);
        return 0;
    }
}
