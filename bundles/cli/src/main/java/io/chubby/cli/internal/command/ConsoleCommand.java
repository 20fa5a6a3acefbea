package io.chubby.cli.internal.command;

import io.chubby.cli.internal.CliContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * {@code chubby console passwd}: the console's own password (used without cell authentication,
 * PID {@code io.chubby.console}) as the salted {@code console.password.hash} the console checks:
 * {@code pbkdf2-sha256:<iterations>:<salt>:<key>}, PBKDF2 with HMAC-SHA-256, a 16-byte random salt
 * and a 32-byte key, both base64. Printed as a configuration line, or set in the replicas'
 * {@code etc/io.chubby.console.cfg} files ({@code --config}, repeatable), where it replaces any
 * earlier password line (the unsalted {@code console.password.sha256} included). Talks to no cell.
 */
@Command(name = "console", description = "The web console's own password (console passwd).",
        subcommands = {ConsoleCommand.Passwd.class})
public final class ConsoleCommand implements Runnable {
    /** The key the console reads, and the older one a new hash replaces. */
    static final String HASH_KEY = "console.password.hash";
    static final String SHA256_KEY = "console.password.sha256";
    /** OWASP's figure for PBKDF2-HMAC-SHA256 (about 0.3 s per check here; the console remembers a match). */
    static final int DEFAULT_ITERATIONS = 600_000;
    /** The console refuses fewer. */
    static final int MIN_ITERATIONS = 10_000;

    @ParentCommand
    ChubbyCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: passwd");
    }

    /** {@code console passwd [--config FILE]... [--new-password-file F] [--iterations N]}. */
    @Command(name = "passwd", description = {"Hash the console's own password (PID io.chubby.console, used without the",
            "cell's authentication): print console.password.hash=..., or set it in each --config file.",
            "The password comes from --new-password-file, else a console prompt, else the first line of stdin."})
    public static final class Passwd implements Callable<Integer> {
        @ParentCommand
        ConsoleCommand console;

        @Spec
        CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE", description = {"A replica's etc/io.chubby.console.cfg to set "
                + "the hash in (repeatable;", "other lines are kept, an earlier password line is replaced)."})
        List<Path> configs = new ArrayList<>();

        @Option(names = "--new-password-file", paramLabel = "FILE", description = "Read the password from FILE's first line.")
        Path passwordFile;

        @Option(names = "--iterations", paramLabel = "N", defaultValue = "" + DEFAULT_ITERATIONS,
                description = "PBKDF2 iterations (default ${DEFAULT-VALUE}, at least " + MIN_ITERATIONS + ").")
        int iterations;

        @Override
        public Integer call() {
            if (iterations < MIN_ITERATIONS) {
                throw new ParameterException(spec.commandLine(), "--iterations must be at least " + MIN_ITERATIONS);
            }
            CliContext ctx = console.root.ctx();
            char[] password = NewPassword.read(ctx, spec, passwordFile, "console password");
            String hash;
            try {
                hash = hash(password, iterations);
            } finally {
                Arrays.fill(password, '\0');
            }
            if (configs.isEmpty()) {
                ctx.out().println(HASH_KEY + "=" + hash);
            }
            for (Path config : configs) {
                boolean replaced = set(config, hash);
                ctx.out().println(HASH_KEY + " " + (replaced ? "replaced" : "set") + " in " + config);
            }
            return 0;
        }
    }

    /** A new {@code console.password.hash} value for {@code password}. */
    static String hash(char[] password, int iterations) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
        try {
            byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            Base64.Encoder b64 = Base64.getEncoder();
            return "pbkdf2-sha256:" + iterations + ":" + b64.encodeToString(salt) + ":" + b64.encodeToString(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no PBKDF2WithHmacSHA256 in this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** Sets the hash in a configuration file; whether a password line was there before. */
    private static boolean set(Path config, String hash) {
        try {
            List<String> lines = new ArrayList<>();
            boolean replaced = false;
            if (Files.exists(config)) {
                for (String line : Files.readAllLines(config, StandardCharsets.UTF_8)) {
                    String key = line.split("[=:]", 2)[0].strip();
                    if (key.equals(HASH_KEY) || key.equals(SHA256_KEY)) {
                        replaced = true;
                    } else {
                        lines.add(line);
                    }
                }
            }
            lines.add(HASH_KEY + "=" + hash);
            NewPassword.writeOwnerOnly(config, lines);
            return replaced;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config + ": " + e.getMessage(), e);
        }
    }
}
