package io.chubby.cli.internal.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code chubby bundle watch DIR (--all | --replica ADDR)}: a drop-in directory rolled over the
 * cell. Every jar moved into DIR is installed, or updates the bundle of its Bundle-SymbolicName
 * added before ({@code chubby:bundle deploy}), on one replica at a time, followers first and the
 * master last, with the health check of {@code chubby bundle install --all} between; a jar deleted
 * from DIR has its bundle uninstalled the same way. The first failure stops that jar's roll
 * (reported, tried again when the jar changes or after {@code --retry-after}); the other jars go on.
 * What was rolled out is recorded in DIR ({@link DropInDirectory}), so a watcher started again goes
 * on where the last one stopped. {@code --once} does what DIR asks for now and exits: 0 when all of
 * it was done, 1 when something failed.
 */
@Command(name = "watch", description = {"Roll every bundle jar moved into DIR over the cell: installed (or updating the",
        "bundle of its Bundle-SymbolicName added before) one replica at a time, followers first, the master last,",
        "with a health check between; a jar deleted from DIR is uninstalled the same way. Runs until stopped",
        "(--once: what DIR asks for now, then exit 0, or 1 when a roll failed)."})
final class BundleWatchCommand extends BundleCommand.Change {
    @Parameters(paramLabel = "DIR", description = "The drop-in directory (move jars in; names starting with '.' are ignored).")
    String directory;

    @Option(names = "--poll", paramLabel = "MS", defaultValue = "1000",
            description = "How often DIR is read (default ${DEFAULT-VALUE}); a jar is taken once two reads agree on it.")
    long pollMs;

    @Option(names = "--retry-after", paramLabel = "SECONDS", defaultValue = "60",
            description = "When a failed roll of an unchanged jar is tried again (default ${DEFAULT-VALUE}).")
    long retryAfterSeconds;

    @Option(names = "--once", description = "Roll what DIR asks for now and exit.")
    boolean once;

    @Override
    public Integer call() throws InterruptedException {
        if (pollMs < 50 || retryAfterSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--poll must be at least 50 ms and --retry-after not negative");
        }
        Path dir = bundle.ctx().resolve(directory);
        DropInDirectory dropIn;
        try {
            dropIn = new DropInDirectory(dir, retryAfterSeconds * 1000);
        } catch (IOException | IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "cannot watch " + dir + ": " + e.getMessage());
        }
        PrintStream out = bundle.ctx().out();
        if (!once) {
            out.println("watching " + dir + " every " + pollMs + " ms: jars moved in are rolled over "
                    + (where.all ? "the cell" : where.replica) + ", deleted ones uninstalled");
            out.flush();
        }
        BundleRollout rollout = rollout();
        while (true) {
            int failed;
            try {
                failed = pass(dropIn, rollout, out);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + dir + ": " + e.getMessage(), e);
            }
            if (once) {
                return failed == 0 ? 0 : 1;
            }
            if (bundle.ctx().waiter().stopping()) {
                return 0;
            }
            bundle.ctx().waiter().sleep(Duration.ofMillis(pollMs));
        }
    }

    /** One scan of DIR and the rolls it asks for; how many failed. */
    private int pass(DropInDirectory dropIn, BundleRollout rollout, PrintStream out) throws IOException, InterruptedException {
        long now = System.currentTimeMillis();
        DropInDirectory.Plan plan = dropIn.scan(!once, now);
        int failed = plan.refused().size();
        for (String refusal : plan.refused()) {
            report(out, "not rolled: " + refusal);
        }
        for (DropInDirectory.Removal r : plan.removals()) {
            report(out, r.file() + " was deleted from " + dropIn.dir() + ": uninstalling " + r.symbolicName());
            try {
                rollout.uninstall(r.symbolicName(), where.replica);
                dropIn.removed(r);
            } catch (RuntimeException e) {
                failed++;
                dropIn.failed(r.file(), "-", now);
                report(out, "chubby: " + e.getMessage() + retry());
            }
        }
        for (DropInDirectory.Jar j : plan.rolls()) {
            report(out, j + " in " + dropIn.dir() + ": rolling it out");
            try {
                rollout.upload("deploy", j.file(), Files.readAllBytes(dropIn.dir().resolve(j.file())), where.replica);
                dropIn.rolledOut(j);
            } catch (RuntimeException | IOException e) {
                failed++;
                dropIn.failed(j.file(), j.sha256(), now);
                report(out, "chubby: " + e.getMessage() + retry());
            }
        }
        return failed;
    }

    private String retry() {
        return once ? "" : " (tried again when the jar changes, or in " + retryAfterSeconds + " s)";
    }

    private static void report(PrintStream out, String line) {
        out.println(line);
        out.flush();
    }
}
