package io.chubby.cli.internal;

import io.chubby.api.ChubbyException;
import io.chubby.cli.internal.command.ChubbyCommand;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Runs one {@code chubby} command line and maps every outcome to an exit code: 0 on success,
 * {@link io.chubby.api.ErrorCode#exitCode()} for a {@link ChubbyException}, {@value #USAGE} for a
 * usage error and {@value #FAILURE} for anything else; a failure writes exactly one line,
 * {@code chubby: <cause>}, to standard error.
 */
public final class Cli {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private Cli() {
    }

    public static int run(CliContext ctx, String... args) {
        CommandLine cl = commandLine(ctx, args);
        try {
            return cl.execute(args);
        } finally {
            ((ChubbyCommand) cl.getCommand()).endSessions();
        }
    }

    /** The configured picocli command tree with every subcommand (exposed for tests of parsing alone). */
    public static CommandLine commandLine(CliContext ctx) {
        return commandLine(ctx, ChubbyCommand.SUBCOMMANDS);
    }

    /**
     * The command tree for {@code args}: only the subcommand they name, when they name one (what
     * picocli does for a line only depends on that subcommand and the global options); else all,
     * for help, usage errors and suggestions.
     */
    public static CommandLine commandLine(CliContext ctx, String... args) {
        return commandLine(ctx, ChubbyCommand.named(args).map(List::of).orElse(ChubbyCommand.SUBCOMMANDS));
    }

    private static CommandLine commandLine(CliContext ctx, List<String> subcommands) {
        CommandLine cl = new CommandLine(new ChubbyCommand(ctx));
        for (String name : subcommands) {
            cl.addSubcommand(name, ChubbyCommand.subcommand(name));
        }
        addHelp(cl);
        // 'chubby admin lb -s': everything after the first word belongs to the Gogo command line
        CommandLine admin = cl.getSubcommands().get("admin");
        if (admin != null) {
            admin.setStopAtPositional(true);
            admin.setUnmatchedOptionsArePositionalParams(true);
        }
        cl.setOut(new PrintWriter(ctx.out(), true));
        cl.setErr(new PrintWriter(ctx.err(), true));
        cl.setParameterExceptionHandler((ex, args) -> {
            ctx.err().println("chubby: " + oneLine(ex.getMessage()) + usageHint(ex.getCommandLine()));
            ctx.err().flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> report(ctx, ex));
        return cl;
    }

    private static void addHelp(CommandLine cl) {
        cl.getCommandSpec().mixinStandardHelpOptions(true);
        cl.getSubcommands().values().forEach(Cli::addHelp);
    }

    /**
     * Writes the one stderr line for {@code ex} and returns the exit code it maps to. Nothing is
     * written while the process is being stopped: the failure is the stop's doing (a session
     * closed under a waiting call), and the exit status is the signal's.
     */
    public static int report(CliContext ctx, Throwable ex) {
        Throwable t = unwrap(ex);
        int code;
        String line;
        if (t instanceof ChubbyException ce) {
            code = ce.code().exitCode();
            line = ce.getMessage();
        } else if (t instanceof CommandLine.ParameterException pe) {
            code = USAGE;
            line = pe.getMessage() + usageHint(pe.getCommandLine());
        } else {
            code = FAILURE;
            line = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        }
        ctx.out().flush();
        if (!ctx.waiter().stopping()) {
            ctx.err().println("chubby: " + oneLine(line));
            ctx.err().flush();
        }
        return code;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof CompletionException || cur instanceof ExecutionException
                || cur instanceof UncheckedIOException) && cur.getCause() != null) {
            if (cur instanceof UncheckedIOException && cur.getMessage() != null) {
                break; // our own UncheckedIOExceptions carry the useful message
            }
            cur = cur.getCause();
        }
        return cur;
    }

    private static String usageHint(CommandLine cmd) {
        return cmd == null ? "" : " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')";
    }

    /** Failures are reported on exactly one line, whatever the message holds. */
    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }
}
