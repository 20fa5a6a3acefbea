package io.chubby.cli.internal.command;

import io.chubby.cli.internal.CliContext;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

/**
 * A new password for a command that hashes one ({@code acl passwd}, {@code console passwd}), never
 * from the command line: the first line of {@code --new-password-file}, else a prompt on the
 * console (asked twice), else the first line of standard input; and the owner-only write of the
 * file the hash goes to.
 */
final class NewPassword {
    private NewPassword() {
    }

    /** The password, never empty (a usage error). The caller clears the array. */
    static char[] read(CliContext ctx, CommandSpec spec, Path passwordFile, String prompt) {
        char[] password = readRaw(ctx, spec, passwordFile, prompt);
        if (password.length == 0) {
            throw new ParameterException(spec.commandLine(), "empty password");
        }
        return password;
    }

    private static char[] readRaw(CliContext ctx, CommandSpec spec, Path passwordFile, String prompt) {
        try {
            if (passwordFile != null) {
                try (BufferedReader r = Files.newBufferedReader(passwordFile, StandardCharsets.UTF_8)) {
                    String line = r.readLine();
                    return line == null ? new char[0] : line.toCharArray();
                }
            }
            Console console = System.console();
            if (console != null && ctx.in() == System.in) {
                char[] first = console.readPassword("%s: ", prompt);
                char[] again = console.readPassword("again: ");
                if (first == null || again == null || !Arrays.equals(first, again)) {
                    throw new ParameterException(spec.commandLine(), "the two passwords differ");
                }
                Arrays.fill(again, '\0');
                return first;
            }
            String line = new BufferedReader(new InputStreamReader(ctx.in(), StandardCharsets.UTF_8)).readLine();
            return line == null ? new char[0] : line.toCharArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the password: " + e.getMessage(), e);
        }
    }

    /** Replaces {@code file} with {@code lines}, readable by its owner only (mode 600), in one rename. */
    static void writeOwnerOnly(Path file, List<String> lines) {
        try {
            Path abs = file.toAbsolutePath();
            Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(tmp);
            }
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
