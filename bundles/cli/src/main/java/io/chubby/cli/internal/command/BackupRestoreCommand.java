package io.chubby.cli.internal.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code chubby backup restore --from BACKUP --dir DATA_DIR}: on this machine, with the replica
 * stopped, seeds a replica's data directory (which must not exist or be empty) from a verified
 * backup; the replica then logs where its state came from and catches up from the cell.
 */
@Command(name = "restore", description = {"Seed a replica's data directory from a backup, offline (the replica stopped).",
        "The backup is verified first; DATA_DIR must not exist or be empty. Started on it, the replica",
        "catches up from the cell; every replica of a new cell seeded from one backup restores the",
        "whole cell (its master is elected with a new, higher epoch)."})
public final class BackupRestoreCommand implements Callable<Integer> {
    @ParentCommand
    BackupCommand backup;

    @Option(names = "--from", required = true, paramLabel = "BACKUP", description = "The backup directory.")
    String from;

    @Option(names = "--dir", required = true, paramLabel = "DATA_DIR", description = "The replica's data.dir (new or empty).")
    String dir;

    @Override
    public Integer call() {
        var ctx = backup.root.ctx();
        StoreTools.call("restore", backup.home(), BackupRestoreCommand.class.getClassLoader(),
                ctx.resolve(from).toString(), ctx.resolve(dir).toString()).forEach(ctx.out()::println);
        ctx.out().flush();
        return 0;
    }
}
