package io.chubby.paxos.internal;

import io.chubby.spi.Consensus;
import io.chubby.spi.Member;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell commands inside a replica. {@code paxos:transfer [--group G] [--to ID]}: hands group
 * G's (default 0) mastership from this replica to replica ID, or to the group's caught-up
 * successor ({@link Handoffs#transfer}); what {@code chubby master transfer} runs on the master
 * through the admin channel. {@code paxos:member add ID PEER_ADDR CLIENT_ADDR [--group G]} and
 * {@code paxos:member remove ID [--group G]} (on the master: {@link MemberChanges#addMember},
 * {@link MemberChanges#removeMember}), {@code paxos:members [--group G]}. Each throws on refusal, so
 * an admin call reports a failure status.
 */
@Component(service = PaxosCommands.class, property = {"osgi.command.scope=paxos",
        "osgi.command.function=transfer", "osgi.command.function=member", "osgi.command.function=members"})
public final class PaxosCommands {
    static final String USAGE = "usage: paxos:transfer [--group G] [--to REPLICA_ID]";
    static final String MEMBER_USAGE = "usage: paxos:member add ID PEER_HOST:PORT CLIENT_HOST:PORT [--group G]"
            + " | paxos:member remove ID [--group G]";
    /** How long an added replica may take to catch up as a learner before the add is given up. */
    static final long CATCH_UP_MS = 60_000;

    private final GroupHost host;
    private final MemberChanges memberChanges;

    @Activate
    public PaxosCommands(@Reference(name = "replica", target = PaxosReplica.COMPONENT_FILTER) Consensus replica) {
        this(((PaxosReplica) replica).host());
    }

    PaxosCommands(GroupHost host) {
        this.host = host;
        this.memberChanges = new MemberChanges(host);
    }

    /** See the class comment; returns one line saying who masters the group now and how long it took. */
    public String transfer(String... args) {
        int group = 0;
        int to = 0;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--group" -> group = number(args[i], value);
                case "--to" -> to = number(args[i], value);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; " + USAGE);
            }
            i++;
        }
        return host.handoffs().transfer(group, to);
    }

    /** See the class comment; one line saying what changed, in how long, and the members now. */
    public String member(String... args) {
        List<String> words = new ArrayList<>();
        int group = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--group")) {
                group = number(args[i], i + 1 < args.length ? args[i + 1] : null);
                i++;
            } else {
                words.add(args[i]);
            }
        }
        if (words.size() == 4 && words.get(0).equals("add")) {
            return memberChanges.addMember(group, member(words.get(1), words.get(2), words.get(3)), CATCH_UP_MS);
        }
        if (words.size() == 2 && words.get(0).equals("remove")) {
            return memberChanges.removeMember(group, number("remove", words.get(1)));
        }
        throw new IllegalArgumentException(MEMBER_USAGE);
    }

    /** {@code paxos:members [--group G]}: the group's members as this replica applied them. */
    public String members(String... args) {
        if (args.length == 0) {
            return memberChanges.members(0);
        }
        if (args.length == 2 && args[0].equals("--group")) {
            return memberChanges.members(number(args[0], args[1]));
        }
        throw new IllegalArgumentException("usage: paxos:members [--group G]");
    }

    /** A member from the command's id, peer and client addresses (one host: spi {@link Member}). */
    static Member member(String id, String peer, String client) {
        int colonP = peer.lastIndexOf(':');
        int colonC = client.lastIndexOf(':');
        if (colonP <= 0 || colonC <= 0) {
            throw new IllegalArgumentException("addresses are HOST:PORT; " + MEMBER_USAGE);
        }
        String host = peer.substring(0, colonP);
        if (!host.equals(client.substring(0, colonC))) {
            throw new IllegalArgumentException("the peer and client addresses of a replica name one host, got "
                    + peer + " and " + client);
        }
        return new Member(number("ID", id), host, number("CLIENT_ADDR port", client.substring(colonC + 1)),
                number("PEER_ADDR port", peer.substring(colonP + 1)));
    }

    private static int number(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a number; " + USAGE);
        }
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a non-negative number, got '" + value + "'; " + USAGE);
        }
    }
}
