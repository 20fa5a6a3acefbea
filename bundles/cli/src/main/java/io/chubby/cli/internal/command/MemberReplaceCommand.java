package io.chubby.cli.internal.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code chubby member replace}: see {@link MemberCommand}. */
@Command(name = "replace", description = {"Replace replica OLD by NEW: add NEW (peer and client HOST:PORT), then remove OLD",
        "(two changes: a one-step swap could form disjoint majorities)."})
public final class MemberReplaceCommand implements Callable<Integer> {
    @ParentCommand
    MemberCommand member;

    @Option(names = "--group", paramLabel = "G", description = "The Paxos group (partition), default 0.")
    Integer group;

    @Parameters(index = "0", paramLabel = "OLD")
    int old;

    @Parameters(index = "1", paramLabel = "NEW")
    int id;

    @Parameters(index = "2", paramLabel = "PEER_ADDR")
    String peer;

    @Parameters(index = "3", paramLabel = "CLIENT_ADDR")
    String client;

    @Override
    public Integer call() {
        member.add(group, id, peer, client);
        member.remove(group, old);
        return 0;
    }
}
