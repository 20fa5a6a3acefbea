package io.chubby.cli;

import io.chubby.cli.internal.CellAccess;
import io.chubby.cli.internal.Cli;
import io.chubby.cli.internal.CliContext;

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
        int code = Cli.run(CliContext.system(CellAccess.LIBRARY), args);
        System.out.flush();
        // exit explicitly: the client library's threads must not keep the JVM alive
        System.exit(code);
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
