package io.chubby.cli.internal.command;

import io.chubby.cli.internal.CliContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code chubby acl passwd USER --file PASSWORDS}: sets USER's line {@code USER:<hash>} in the
 * passwords file the acl bundle reads ({@code acl.passwords.file}), creating the file (mode 600)
 * if missing, keeping every other line. The password never appears on a command line: it comes
 * from {@code --new-password-file F} (its first line), else from a prompt on the console (asked
 * twice), else from the first line of standard input. Talks to no cell.
 */
@Command(name = "passwd", description = {"Set USER's password hash in a passwords file (acl.passwords.file).",
        "The password comes from --new-password-file, else a console prompt, else the first line of stdin."})
public final class AclPasswdCommand implements Callable<Integer> {
    @ParentCommand
    AclCommand acl;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "USER")
    String user;

    @Option(names = "--file", required = true, paramLabel = "PASSWORDS", description = "The passwords file to update.")
    Path file;

    @Option(names = "--new-password-file", paramLabel = "FILE", description = "Read the new password from FILE's first line.")
    Path passwordFile;

    @Option(names = "--algorithm", paramLabel = "ALG", defaultValue = "bcrypt",
            description = {"bcrypt (default: cost 10, ~60 ms per login check) or argon2id (Shiro's default:",
                    "~300 ms and 64 MiB per login check)."})
    String algorithm;

    @Override
    public Integer call() {
        if (!user.matches("[^:\\s#]+") || user.equals("anonymous")) {
            throw new ParameterException(spec.commandLine(), "'" + user + "' cannot be a user name (no ':', '#' or "
                    + "spaces; 'anonymous' is reserved)");
        }
        if (!PasswordHasher.ALGORITHMS.containsKey(algorithm)) {
            throw new ParameterException(spec.commandLine(), "--algorithm must be one of "
                    + PasswordHasher.ALGORITHMS.keySet().stream().sorted().toList());
        }
        CliContext ctx = acl.root.ctx();
        char[] password = NewPassword.read(ctx, spec, passwordFile, "password for " + user);
        try {
            String hash = PasswordHasher.hash(password, algorithm,
                    ctx.env(CliContext.HOME_ENV).map(Path::of).orElse(null), AclPasswdCommand.class.getClassLoader());
            boolean replaced = update(hash);
            ctx.out().println(user + ": password " + (replaced ? "changed" : "added") + " in " + file + " ("
                    + algorithm + ")");
        } finally {
            Arrays.fill(password, '\0');
        }
        return 0;
    }

    /** Writes the file with USER's line replaced or added (through a temporary file, mode 600). */
    private boolean update(String hash) {
        try {
            List<String> lines = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8))
                    : new ArrayList<>();
            String entry = user + ":" + hash;
            boolean replaced = false;
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i).strip();
                if (l.startsWith(user + ":")) {
                    if (replaced) {
                        lines.remove(i--);
                    } else {
                        lines.set(i, entry);
                        replaced = true;
                    }
                }
            }
            if (!replaced) {
                lines.add(entry);
            }
            NewPassword.writeOwnerOnly(file, lines);
            return replaced;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
