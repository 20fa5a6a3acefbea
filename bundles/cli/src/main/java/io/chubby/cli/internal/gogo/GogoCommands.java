package io.chubby.cli.internal.gogo;

import io.chubby.cli.internal.CellAccess;
import io.chubby.cli.internal.Cli;
import io.chubby.cli.internal.CliContext;
import io.chubby.spi.Member;
import io.chubby.spi.ReplicaConfig;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gogo shell commands {@code chubby:ls|cat|put|stat|mkdir|rm|master|status} inside a replica:
 * the same picocli commands as the {@code chubby} executable, run against this replica's own
 * client address, output returned as a String. Stateless apart from the address; any Gogo
 * session thread may call it.
 */
@Component(service = GogoCommands.class, configurationPid = ReplicaConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {"osgi.command.scope=chubby", "osgi.command.function=ls", "osgi.command.function=cat",
                "osgi.command.function=put", "osgi.command.function=stat", "osgi.command.function=mkdir",
                "osgi.command.function=rm", "osgi.command.function=master", "osgi.command.function=status",
                "osgi.command.function=locks", "osgi.command.function=sequencer"})
@Designate(ocd = GogoCommands.Config.class)
public final class GogoCommands {

    /** The keys of {@code io.chubby.replica} these commands read. */
    @ObjectClassDefinition(name = "Chubby replica: shell commands",
            description = "Gogo commands chubby:* run against this replica's client address.")
    public @interface Config {
        @AttributeDefinition(description = "This replica's id in members.")
        int replica_id();

        @AttributeDefinition(description = "The cell: id@host:clientPort:peerPort,...")
        String members();
    }

    private final String address;
    private final CellAccess access;

    @Activate
    public GogoCommands(Config config) {
        this(ownAddress(config.members(), config.replica_id()), CellAccess.LIBRARY);
    }

    GogoCommands(String address, CellAccess access) {
        this.address = address;
        this.access = access;
    }

    /** This replica's client address from the member list. */
    static String ownAddress(String members, int replicaId) {
        return Member.parseList(members).stream().filter(m -> m.id() == replicaId).findFirst()
                .map(Member::clientAddress)
                .orElseThrow(() -> new IllegalArgumentException("replica.id " + replicaId + " is not in members " + members));
    }

    public String ls(String... args) {
        return run("ls", args);
    }

    public String cat(String... args) {
        return run("cat", args);
    }

    public String put(String... args) {
        return run("put", args);
    }

    public String stat(String... args) {
        return run("stat", args);
    }

    public String mkdir(String... args) {
        return run("mkdir", args);
    }

    public String rm(String... args) {
        return run("rm", args);
    }

    public String master(String... args) {
        return run("master", args);
    }

    /** Holders and waiters of a node's lock. */
    public String locks(String... args) {
        return run("locks", args);
    }

    /** {@code sequencer check|show SEQUENCER}. */
    public String sequencer(String... args) {
        return run("sequencer", args);
    }

    /** This replica's status line ({@code cell status} for this replica alone). */
    public String status(String... args) {
        List<String> a = new ArrayList<>(List.of("status"));
        a.addAll(List.of(args));
        return run("cell", a.toArray(String[]::new));
    }

    /**
     * Runs one command; returns what it printed. A failing command throws with its one error
     * line, so the shell (and {@code chubby admin}) reports a failure.
     */
    String run(String command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]),
                Map.of(CliContext.CELL_ENV, address), Path.of("").toAbsolutePath(), access, CliContext.Waiter.EMBEDDED, true);
        String[] argv = new String[args.length + 1];
        argv[0] = command;
        System.arraycopy(args, 0, argv, 1, args.length);
        int code = Cli.run(ctx, argv);
        if (code != 0) {
            throw new IllegalStateException(err.toString(StandardCharsets.UTF_8).strip());
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
