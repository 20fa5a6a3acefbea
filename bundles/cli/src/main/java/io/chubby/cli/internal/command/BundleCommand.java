package io.chubby.cli.internal.command;

import io.chubby.cli.internal.CliContext;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code chubby bundle list|install|update|uninstall}: the bundles of a running cell's replicas,
 * changed through the admin channel (the jar's bytes travel with the command, so a replica on
 * another host needs nothing but its client port), one replica or all of them one at a time
 * with a health check between ({@link BundleRollout}); {@code watch} keeps a drop-in directory rolled
 * out the same way ({@link BundleWatchCommand}).
 */
@Command(name = "bundle", description = {"List, install, update or uninstall bundles in a running cell's replicas",
        "through the admin channel; --all rolls over the cell one replica at a time (followers first, the",
        "master last) with a health check between, and stops at the first failure; watch DIR rolls every jar",
        "dropped into DIR the same way."},
        subcommands = {BundleCommand.ListCommand.class, BundleCommand.InstallCommand.class,
                BundleCommand.UpdateCommand.class, BundleCommand.UninstallCommand.class, BundleWatchCommand.class})
public final class BundleCommand implements Runnable {
    @ParentCommand
    ChubbyCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: list, install, update, uninstall or watch");
    }

    CliContext ctx() {
        return root.ctx();
    }

    /** Where: exactly one of --replica and --all. */
    static final class Where {
        @Option(names = "--replica", paramLabel = "HOST:PORT", required = true,
                description = "One replica (its client address).")
        String replica;

        @Option(names = "--all", required = true,
                description = "Every replica of --cell, one at a time: followers first, the master last.")
        boolean all;
    }

    /** Options of the commands that change bundles. */
    abstract static class Change implements Callable<Integer> {
        @ParentCommand
        BundleCommand bundle;

        @Spec
        CommandSpec spec;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Where where;

        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60",
                description = {"How long one replica's operation (at least --timeout), and then its health check (a",
                        "master known, the replica caught up with it), may take (default ${DEFAULT-VALUE})."})
        int waitSeconds;

        BundleRollout rollout() {
            if (waitSeconds <= 0) {
                throw new ParameterException(spec.commandLine(), "--wait must be positive, was " + waitSeconds);
            }
            return new BundleRollout(bundle.root, Duration.ofSeconds(waitSeconds));
        }

        byte[] jar(String file) {
            Path p = bundle.ctx().resolve(file);
            try {
                return Files.readAllBytes(p);
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "cannot read " + p + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "list", description = {"The bundles of every replica (or --replica's): symbolic name, version,",
            "state, origin (framework, distribution, deploy, replica: added with 'chubby bundle'), and which",
            "replicas differ."})
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand
        BundleCommand bundle;

        @Option(names = "--replica", paramLabel = "HOST:PORT", description = "One replica only (default: all of --cell).")
        String replica;

        @Option(names = "--all", description = "Every replica of --cell (the default).")
        boolean all;

        @Override
        public Integer call() {
            return new BundleRollout(bundle.root, bundle.root.timeout()).list(replica);
        }
    }

    @Command(name = "install", description = {"Install and start a bundle jar (a local file; its bytes are sent) in",
            "--replica or --all replicas; it is kept in the replica's INSTANCE/bundles/ and installed again",
            "at every start."})
    static final class InstallCommand extends Change {
        @Parameters(paramLabel = "JAR", description = "The bundle jar.")
        String file;

        @Override
        public Integer call() throws InterruptedException {
            return rollout().upload("install", file, jar(file), where.replica);
        }
    }

    @Command(name = "update", description = {"Replace a bundle installed with 'chubby bundle install' by a new build",
            "(same Bundle-SymbolicName), refreshed and started; a build that does not start is rolled back."})
    static final class UpdateCommand extends Change {
        @Parameters(paramLabel = "JAR", description = "The new build.")
        String file;

        @Override
        public Integer call() throws InterruptedException {
            return rollout().upload("update", file, jar(file), where.replica);
        }
    }

    @Command(name = "uninstall", description = {"Uninstall a bundle installed with 'chubby bundle install' and",
            "remove its jar from the replica."})
    static final class UninstallCommand extends Change {
        @Parameters(paramLabel = "SYMBOLIC-NAME", description = "Its Bundle-SymbolicName, e.g. io.chubby.acl.")
        String symbolicName;

        @Override
        public Integer call() throws InterruptedException {
            return rollout().uninstall(symbolicName, where.replica);
        }
    }
}
