package io.chubby.cli.internal.command;

import io.chubby.client.ClientSecurity;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.MasterInfo;
import io.chubby.cli.internal.CliContext;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ClientSecurity;
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
                "  CHUBBY_TLS_CA, CHUBBY_TLS_CERT, CHUBBY_TLS_KEY  TLS files (--ca/--cert/--key win)",
                "  CHUBBY_USER, CHUBBY_PASSWORD  password login (--user/--password-file win)",
                "  CHUBBY_LOG_LEVEL  client library logging to stderr (default off)",
                "%nPaths: /ls/CELL/NAME/...; CELL 'local' is the cell you reach. One trailing '/' is dropped:",
                "/ls/local/x/ names /ls/local/x, file or directory.",
                "%nEvery command that talks to the cell keeps trying to reach it (find the master, get an",
                "answer) for --timeout seconds (default 10), then exits 21 (CELL_UNAVAILABLE).",
                "%nExit status: 0 ok, 1 failure, 2 usage error,",
                "10..28 a Chubby error (NO_SUCH_NODE=10 ... OUTCOME_UNKNOWN=28);",
                "stopped by SIGINT/SIGTERM: 130/143, after closing its session."})
public final class ChubbyCommand implements Runnable {
    /**
     * The subcommands, in the order help lists them. Not in {@code @Command(subcommands)}: picocli
     * builds a command's model by reflection when it is added, which for all of them costs about
     * as much as the rest of a {@code chubby cat}, so a command line gets only the one it names
     * ({@link io.chubby.cli.internal.Cli#commandLine(CliContext, String...)}).
     */
    public static final List<String> SUBCOMMANDS = List.of("cell", "master", "member", "ls", "stat", "cat", "mkdir",
            "rm", "put", "acl", "admin", "backup", "mirror", "lock", "locks", "sequencer", "elect", "watch", "session",
            "whoami", "proxy", "dist", "bundle", "console");

    /** Global options that take a value (the word after them is not a subcommand). */
    static final List<String> VALUED_OPTIONS = List.of("--cell", "--timeout", "--ca", "--cert", "--key", "--user",
            "--password-file");

    /** First pause between rounds of tries to reach the cell (then doubling, at most {@link #RETRY_MAX_MS}). */
    static final long RETRY_FIRST_MS = 50;
    static final long RETRY_MAX_MS = 1_000;
    /** A try to reach a replica is not started with less time than this left. */
    static final long MIN_TRY_MS = 50;

    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Option(names = "--cell", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT,...",
            description = {"Replicas of the cell (default: $CHUBBY_CELL, else dns:local.chubby@$CHUBBY_DNS).",
                    "dns:CELL.chubby@HOST:PORT finds them through that DNS server's SRV records;",
                    "dns-proxy:CELL.chubby@HOST:PORT names the proxies registered with the cell instead."})
    String cell;

    @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "SECONDS", defaultValue = "10",
            description = {"How long a command keeps trying to reach the cell (find the master, get an answer;",
                    "the same for every command) before it exits 21 (default: ${DEFAULT-VALUE})."})
    int timeoutSeconds;

    @Option(names = "--ca", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "PEM CA certificates the replicas' certificates chain to: TLS on (default: $CHUBBY_TLS_CA).")
    String ca;

    @Option(names = "--cert", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = {"Your TLS certificate, PEM chain or PKCS#12 .p12/.pfx (default: $CHUBBY_TLS_CERT);",
                    "its subject CN is who you are."})
    String cert;

    @Option(names = "--key", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "PEM PKCS#8 private key of --cert (default: $CHUBBY_TLS_KEY).")
    String key;

    @Option(names = "--user", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = {"Log in as NAME with a password (default: $CHUBBY_USER): from --password-file,",
                    "else $CHUBBY_PASSWORD, else asked on the terminal; never on the command line."})
    String user;

    @Option(names = "--password-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "File whose first line is the password of --user.")
    String passwordFile;

    private ClientSecurity security;

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
            case "member" -> new MemberCommand();
            case "ls" -> new LsCommand();
            case "stat" -> new StatCommand();
            case "cat" -> new CatCommand();
            case "mkdir" -> new MkdirCommand();
            case "rm" -> new RmCommand();
            case "put" -> new PutCommand();
            case "acl" -> new AclCommand();
            case "admin" -> new AdminCommand();
            case "backup" -> new BackupCommand();
            case "mirror" -> new MirrorCommand();
            case "lock" -> new LockCommand();
            case "locks" -> new LocksCommand();
            case "sequencer" -> new SequencerCommand();
            case "elect" -> new ElectCommand();
            case "watch" -> new WatchCommand();
            case "session" -> new SessionCommand();
            case "whoami" -> new WhoamiCommand();
            case "proxy" -> new ProxyCommand();
            case "dist" -> new DistCommand();
            case "bundle" -> new BundleCommand();
            case "console" -> new ConsoleCommand();
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
            if (VALUED_OPTIONS.contains(a)) {
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

    /** The cell named by --cell or CHUBBY_CELL, if any. An empty --cell is a usage error, not "use CHUBBY_CELL". */
    public Optional<List<String>> namedCell() {
        if (cell != null && cell.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--cell is empty: give HOST:PORT,... (or dns:CELL.chubby@HOST:PORT),"
                    + " or leave --cell out to use CHUBBY_CELL");
        }
        String s = cell != null ? cell : ctx.env(CliContext.CELL_ENV).orElse(null);
        if (s == null || s.isBlank()) {
            // CHUBBY_DNS alone: the cell 'local' found through that DNS bridge's SRV records
            s = ctx.env(ClientOptions.DNS_ENV).filter(d -> !d.isBlank()).map(ClientOptions::dnsCellSpec).orElse(null);
        }
        return s == null ? Optional.empty() : Optional.of(ClientOptions.parseCell(s));
    }

    /**
     * TLS and login from the options, else the environment: TLS when a CA or certificate is named,
     * a password login when a user is. The password comes from --password-file, else
     * CHUBBY_PASSWORD, else the terminal (a usage error without one); never from the command line.
     */
    public ClientSecurity security() {
        if (security != null) {
            return security;
        }
        String caFile = pick(ca, ClientSecurity.TLS_CA_ENV);
        String certFile = pick(cert, ClientSecurity.TLS_CERT_ENV);
        String keyFile = pick(key, ClientSecurity.TLS_KEY_ENV);
        ClientSecurity.Builder b = ClientSecurity.builder();
        if (caFile != null || certFile != null) {
            b.tls(ClientSecurity.tlsFromFiles(path(caFile), path(certFile), path(keyFile), null));
        } else if (keyFile != null) {
            throw new ParameterException(spec.commandLine(), "--key (or CHUBBY_TLS_KEY) without --cert or --ca");
        }
        String name = pick(user, ClientSecurity.USER_ENV);
        if (name != null) {
            char[] password = password(name);
            b.credentials(name, password);
            java.util.Arrays.fill(password, '\0');
        } else if (passwordFile != null) {
            throw new ParameterException(spec.commandLine(), "--password-file without --user (or CHUBBY_USER)");
        }
        security = b.build();
        return security;
    }

    private String pick(String option, String env) {
        return option != null && !option.isBlank() ? option : ctx.env(env).orElse(null);
    }

    private java.nio.file.Path path(String file) {
        return file == null ? null : ctx.resolve(file);
    }

    private char[] password(String name) {
        if (passwordFile != null) {
            try {
                String text = java.nio.file.Files.readString(ctx.resolve(passwordFile));
                int nl = text.indexOf('\n');
                return (nl < 0 ? text : text.substring(0, nl)).replace("\r", "").toCharArray();
            } catch (java.io.IOException e) {
                throw new ParameterException(spec.commandLine(), "--password-file " + passwordFile
                        + ": cannot read it (" + e.getClass().getSimpleName() + ")");
            }
        }
        Optional<String> env = Optional.ofNullable(ctx.env().get(ClientSecurity.PASSWORD_ENV));
        if (env.isPresent()) {
            return env.get().toCharArray();
        }
        java.io.Console console = ctx.embedded() ? null : System.console();
        if (console == null) {
            throw new ParameterException(spec.commandLine(), "no password for user " + name + ": use --password-file,"
                    + " CHUBBY_PASSWORD, or run on a terminal to be asked");
        }
        char[] pw = console.readPassword("password for %s: ", name);
        if (pw == null) {
            throw new ParameterException(spec.commandLine(), "no password for user " + name + " (end of input)");
        }
        return pw;
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
                .callTimeout(timeout()).security(security()).build();
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

    /**
     * Asks the replicas in turn where the master is; the first that knows answers. Like every
     * command that talks to the cell, it keeps trying (rounds over all replicas, backoff 50 ms
     * doubling to 1 s) until --timeout has passed: a cell that is starting or electing a master
     * gets the same time from {@code master} as from {@code put}.
     */
    public MasterInfo locateMaster(List<String> replicas) {
        Duration timeout = timeout();
        ClientSecurity sec = security(); // a bad file fails here, once, not per try
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMs = RETRY_FIRST_MS;
        String last = null;
        while (true) {
            for (String r : replicas) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs < MIN_TRY_MS) {
                    break; // no time left for a real try: its "no answer in 1 ms" would only hide the last real error
                }
                try {
                    MasterInfo m = ctx.access().masterLocation(r, Duration.ofMillis(leftMs), sec);
                    if (m.known()) {
                        return m;
                    }
                    last = r + " knows no master";
                } catch (ChubbyException e) {
                    boolean cutByDeadline = deadline - System.nanoTime() < TimeUnit.MILLISECONDS.toNanos(MIN_TRY_MS);
                    if (last == null || !cutByDeadline) {
                        last = e.getMessage(); // a try the deadline cut short says less than the answer before it
                    }
                }
            }
            backoffMs = pause(deadline, backoffMs);
            if (backoffMs < 0) {
                throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "no replica of " + String.join(",", replicas)
                        + " named a master within " + timeout.toSeconds() + " s (--timeout)"
                        + (last == null ? "" : "; last: " + last));
            }
        }
    }

    /**
     * Sleeps before the next round of tries: {@code backoffMs}, cut to the time left. Returns the
     * next backoff, or -1 when the deadline has passed (no more tries).
     */
    static long pause(long deadlineNanos, long backoffMs) {
        long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (leftMs <= 0) {
            return -1;
        }
        try {
            Thread.sleep(Math.min(backoffMs, leftMs));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChubbyException(ErrorCode.CANCELLED, "interrupted while trying to reach the cell", e);
        }
        return Math.min(backoffMs * 2, RETRY_MAX_MS);
    }
}
