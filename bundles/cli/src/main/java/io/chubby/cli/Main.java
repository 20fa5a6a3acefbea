package io.chubby.cli;

import io.chubby.cli.internal.CellAccess;
import io.chubby.cli.internal.Cli;
import io.chubby.cli.internal.CliContext;
import io.chubby.cli.internal.command.ChubbyCommand;
import io.chubby.client.ChubbyClient;

import java.util.List;

/**
 * Entry point of the {@code chubby} command on a plain JVM classpath ({@code bin/chubby}).
 * Exit status: 0 on success, the error code's {@code exitCode()} for a Chubby error, 2 for a
 * usage error, 1 otherwise; failures print one line to standard error.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        quietLogging();
        prepareClient(args);
        int code = Cli.run(CliContext.system(CellAccess.LIBRARY), args);
        System.out.flush();
        // exit explicitly: the client library's threads must not keep the JVM alive
        System.exit(code);
    }

    /**
     * A command that talks to the cell spends about as long getting the client library ready
     * (protobuf's descriptors, MINA) as picocli spends on its arguments, so on a machine with a
     * second core the two overlap: a daemon thread prepares the library while this one parses.
     * Not for commands that need no client library (local cell management, decoding, help).
     */
    private static void prepareClient(String[] args) {
        String command = ChubbyCommand.named(args).orElse("");
        if (command.isEmpty() || command.equals("cell") && !List.of(args).contains("status")
                || command.equals("sequencer") && List.of(args).contains("show")) {
            return;
        }
        Thread t = new Thread(ChubbyClient::prepare, "chubby-prepare");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The client library logs through slf4j; a command must print only its output and at most
     * one error line, so logging is off unless CHUBBY_LOG_LEVEL asks for it (slf4j-simple levels:
     * error, warn, info, debug, trace).
     */
    private static void quietLogging() {
        String level = System.getenv("CHUBBY_LOG_LEVEL");
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level == null || level.isBlank() ? "off" : level);
        }
        if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
            System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        }
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            // no "no providers found" banner when the classpath has no slf4j binding
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
    }
}
