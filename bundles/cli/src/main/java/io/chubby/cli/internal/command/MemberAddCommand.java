package io.chubby.cli.internal.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code chubby member add}: see {@link MemberCommand}. */
@Command(name = "add", description = "Add replica ID (its peer and client HOST:PORT) once it caught up.")
public final class MemberAddCommand implements Callable<Integer> {
    @ParentCommand
    MemberCommand member;

    @Option(names = "--group", paramLabel = "G", description = "The Paxos group (partition), default 0.")
    Integer group;

    @Parameters(index = "0", paramLabel = "ID")
    int id;

    @Parameters(index = "1", paramLabel = "PEER_ADDR")
    String peer;

    @Parameters(index = "2", paramLabel = "CLIENT_ADDR")
    String client;

    @Override
    public Integer call() {
        member.add(group, id, peer, client);
        return 0;
    }
}
