package io.chubby.cli.internal.command;

import io.chubby.cli.internal.CliContext;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code chubby backup create|verify|restore}: online backups of a replica's store
 * ({@link BackupCreateCommand}, through the admin channel), and their verification and restore on
 * this machine ({@link BackupVerifyCommand}, {@link BackupRestoreCommand}).
 */
@Command(name = "backup", subcommands = {BackupCreateCommand.class, BackupVerifyCommand.class, BackupRestoreCommand.class},
        description = {"Back up a running replica's state, verify a backup, restore one into a data directory.",
                "A backup is a directory: MANIFEST (cell, replica, time, applied index, epoch, checksums,",
                "SHA-256 of every file) and je/ (the Berkeley DB JE files)."})
public final class BackupCommand implements Runnable {
    @ParentCommand
    ChubbyCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: create, verify or restore");
    }

    /** The distribution root ($CHUBBY_HOME), whose bundle/ holds the store jar; null outside it. */
    Path home() {
        return root.ctx().env(CliContext.HOME_ENV).map(Path::of).orElse(null);
    }
}
