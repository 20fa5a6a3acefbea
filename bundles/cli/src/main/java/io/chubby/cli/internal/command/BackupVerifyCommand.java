package io.chubby.cli.internal.command;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code chubby backup verify DIR}: on this machine, checks a backup's manifest, every file's size
 * and SHA-256, and re-reads the applied index and checksums from the copy opened read-only with JE.
 * Prints the report; exit 0 when the backup is sound, 1 when not.
 */
@Command(name = "verify", description = {"Check a backup on this machine: manifest, size and SHA-256 of every file, and",
        "the applied index and checksums read back from the copy with Berkeley DB JE. Exit 0 if sound, 1 if not."})
public final class BackupVerifyCommand implements Callable<Integer> {
    @ParentCommand
    BackupCommand backup;

    @Parameters(paramLabel = "DIR", description = "The backup directory (backup-<time>-r<replica>).")
    String dir;

    @Override
    public Integer call() {
        String path = backup.root.ctx().resolve(dir).toString();
        List<String> lines = StoreTools.call("verify", backup.home(), BackupVerifyCommand.class.getClassLoader(), path);
        lines.forEach(backup.root.ctx().out()::println);
        backup.root.ctx().out().flush();
        return lines.get(0).startsWith("OK ") ? 0 : 1;
    }
}
