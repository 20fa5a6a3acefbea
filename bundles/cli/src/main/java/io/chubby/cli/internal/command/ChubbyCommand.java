package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.MasterInfo;
import io.chubby.cli.internal.CliContext;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The root {@code chubby} command: global options and the cell connection shared by the file
 * commands. Holds the {@link CliContext} so subcommands reach it through {@code @ParentCommand}.
 */
@Command(name = "chubby", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Operate a Chubby cell: start a local cell, read and write its files.",
        footerHeading = "%nEnvironment:%n",
        footer = {"  CHUBBY_CELL       the cell, host:port,... or dns:CELL.chubby@host:port (--cell wins)",
                "  CHUBBY_DNS        host:port of a DNS bridge: the cell 'local' through DNS (if no CHUBBY_CELL)",
                "  CHUBBY_HOME       the distribution root, for 'cell up'",
                "  CHUBBY_LOG_LEVEL  client library logging to stderr (default off)",
                "%nExit status: 0 ok, 1 failure, 2 usage error,",
                "10..27 a Chubby error (NO_SUCH_NODE=10 ... INTERNAL=27)."})
public final class ChubbyCommand implements Runnable {
    /**
     * The subcommands, in the order help lists them. Not in {@code @Command(subcommands)}: picocli
     * builds a command's model by reflection when it is added, which for all of them costs about
     * as much as the rest of a {@code chubby cat}, so a command line gets only the one it names
     * ({@link io.chubby.cli.internal.Cli#commandLine(CliContext, String...)}).
     */
    public static final List<String> SUBCOMMANDS = List.of("cell", "master", "ls", "stat", "cat", "mkdir", "rm",
            "put", "acl", "admin", "lock", "locks", "sequencer", "elect", "watch", "session");

    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Option(names = "--cell", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT,...",
            description = {"Replicas of the cell (default: $CHUBBY_CELL, else dns:local.chubby@$CHUBBY_DNS).",
                    "dns:CELL.chubby@HOST:PORT finds them through that DNS server's SRV records."})
    String cell;

    @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "SECONDS", defaultValue = "10",
            description = "How long one call may take, including finding the master (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** Cancels, per session opened, its close at a stop (the command closes it itself). */
    private final List<Runnable> sessionHooks = new CopyOnWriteArrayList<>();

    public ChubbyCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    /** A new instance of the subcommand {@code name} (one of {@link #SUBCOMMANDS}). */
    public static Object subcommand(String name) {
        return switch (name) {
            case "cell" -> new CellCommand();
            case "master" -> new MasterCommand();
            case "ls" -> new LsCommand();
            case "stat" -> new StatCommand();
            case "cat" -> new CatCommand();
            case "mkdir" -> new MkdirCommand();
            case "rm" -> new RmCommand();
            case "put" -> new PutCommand();
            case "acl" -> new AclCommand();
            case "admin" -> new AdminCommand();
            case "lock" -> new LockCommand();
            case "locks" -> new LocksCommand();
            case "sequencer" -> new SequencerCommand();
            case "elect" -> new ElectCommand();
            case "watch" -> new WatchCommand();
            case "session" -> new SessionCommand();
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    /**
     * The subcommand {@code args} name: the first word that is neither a global option nor the
     * value of one; empty when that word is not a subcommand (picocli then reports it, with all
     * subcommands known) or there is none.
     */
    public static Optional<String> named(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--cell") || a.equals("--timeout")) {
                i++; // its value
            } else if (!a.startsWith("-")) {
                return SUBCOMMANDS.contains(a) ? Optional.of(a) : Optional.empty();
            } else if (a.equals("--")) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command");
    }

    public CliContext ctx() {
        return ctx;
    }

    public Duration timeout() {
        if (timeoutSeconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--timeout must be positive, was " + timeoutSeconds);
        }
        return Duration.ofSeconds(timeoutSeconds);
    }

    /** The cell named by --cell or CHUBBY_CELL, if any. */
    public Optional<List<String>> namedCell() {
        String s = cell != null && !cell.isBlank() ? cell : ctx.env(CliContext.CELL_ENV).orElse(null);
        if (s == null || s.isBlank()) {
            // CHUBBY_DNS alone: the cell 'local' found through that DNS bridge's SRV records
            s = ctx.env(ClientOptions.DNS_ENV).filter(d -> !d.isBlank()).map(ClientOptions::dnsCellSpec).orElse(null);
        }
        return s == null ? Optional.empty() : Optional.of(ClientOptions.parseCell(s));
    }

    public List<String> cellAddresses() {
        return namedCell().orElseThrow(() -> new ParameterException(spec.commandLine(),
                "no cell given: use --cell HOST:PORT,... or set CHUBBY_CELL (eval the last line of 'chubby cell up')"));
    }

    /**
     * A session with the named cell; the caller closes it. Until the command line is done, a
     * stopped process (SIGINT, SIGTERM, any number of them) closes it too, after the command's own
     * clean-up, so the master ends it at once (it does not wait for the lease to run out): also
     * when the signal comes while the session is still being created.
     */
    public ChubbyClient connect() {
        ClientOptions options = ClientOptions.builder().replicas(cellAddresses()).clientName("chubby-cli")
                .callTimeout(timeout()).build();
        CompletableFuture<ChubbyClient> opened = new CompletableFuture<>();
        Duration wait = options.callTimeout().plusSeconds(1);
        sessionHooks.add(ctx.waiter().onShutdown(() -> closeWhenOpened(opened, wait)));
        try {
            ChubbyClient c = ctx.access().connect(options);
            opened.complete(c);
            return c;
        } catch (RuntimeException | Error e) {
            opened.complete(null);
            throw e;
        }
    }

    /** At a stop: waits for a session being created, then ends it (close() waits for the master). */
    private static void closeWhenOpened(CompletableFuture<ChubbyClient> opened, Duration wait) {
        ChubbyClient c;
        try {
            c = opened.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException e) {
            return;
        }
        if (c != null) {
            c.close();
        }
    }

    /**
     * The command line is done and has closed its sessions: a later stop has nothing of theirs to
     * close. Called by {@link io.chubby.cli.internal.Cli#run}.
     */
    public void endSessions() {
        sessionHooks.forEach(Runnable::run);
        sessionHooks.clear();
    }

    /** Asks the replicas in turn where the master is; the first that knows answers. */
    public MasterInfo locateMaster(List<String> replicas) {
        ChubbyException last = null;
        for (String r : replicas) {
            try {
                MasterInfo m = ctx.access().masterLocation(r, timeout());
                if (m.known()) {
                    return m;
                }
            } catch (ChubbyException e) {
                last = e;
            }
        }
        throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "no replica of " + String.join(",", replicas)
                + " knows a master" + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
    }
}
