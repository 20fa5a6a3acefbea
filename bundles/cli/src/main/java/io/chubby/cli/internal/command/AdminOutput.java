package io.chubby.cli.internal.command;

import io.chubby.client.AdminResult;
import java.io.PrintStream;

/** Prints what a command run through the admin channel printed, ending with a newline. */
final class AdminOutput {
    private AdminOutput() {
    }

    static void print(PrintStream out, AdminResult r) {
        out.print(r.output());
        if (!r.output().isEmpty() && !r.output().endsWith("\n")) {
            out.println();
        }
        out.flush();
    }
}
