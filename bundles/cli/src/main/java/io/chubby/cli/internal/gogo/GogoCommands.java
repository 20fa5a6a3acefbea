package io.chubby.cli.internal.gogo;

import io.chubby.cli.internal.CellAccess;
import io.chubby.cli.internal.Cli;
import io.chubby.cli.internal.CliContext;
import io.chubby.spi.ReplicaIdentity;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;

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
 * client address (from the {@link ReplicaIdentity}), output returned as a String. Stateless apart
 * from the address; any Gogo session thread may call it.
 */
@Component(service = GogoCommands.class, configurationPolicy = ConfigurationPolicy.IGNORE,
        property = {"osgi.command.scope=chubby", "osgi.command.function=ls", "osgi.command.function=cat",
                "osgi.command.function=put", "osgi.command.function=stat", "osgi.command.function=mkdir",
                "osgi.command.function=rm", "osgi.command.function=master", "osgi.command.function=status",
                "osgi.command.function=locks", "osgi.command.function=sequencer"})
public final class GogoCommands {

    private final String address;
    private final CellAccess access;

    @Activate
    public GogoCommands(@Reference(name = "identity") ReplicaIdentity identity) {
        this(identity.self().clientAddress(), CellAccess.LIBRARY);
    }

    GogoCommands(String address, CellAccess access) {
        this.address = address;
        this.access = access;
    }

    /** The client address the commands connect to. */
    String address() {
        return address;
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
