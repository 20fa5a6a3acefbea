package io.chubby.paxos.internal;

import io.chubby.spi.Consensus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell command {@code paxos:transfer [--group G] [--to ID]} inside a replica: hands group
 * G's (default 0) mastership from this replica to replica ID, or to the group's caught-up
 * successor ({@link GroupHost#transfer}). What {@code chubby master transfer} runs on the master
 * through the admin channel. Throws on refusal, so the admin call reports a failure status.
 */
@Component(service = PaxosCommands.class, property = {"osgi.command.scope=paxos",
        "osgi.command.function=transfer"})
public final class PaxosCommands {
    static final String USAGE = "usage: paxos:transfer [--group G] [--to REPLICA_ID]";

    private final GroupHost host;

    @Activate
    public PaxosCommands(@Reference(name = "replica", target = PaxosReplica.COMPONENT_FILTER) Consensus replica) {
        this(((PaxosReplica) replica).host());
    }

    PaxosCommands(GroupHost host) {
        this.host = host;
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
        return host.transfer(group, to);
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
