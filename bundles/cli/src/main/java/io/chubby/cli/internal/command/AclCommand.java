package io.chubby.cli.internal.command;

import io.chubby.api.OpenMode;
import io.chubby.api.OpenOptions;
import io.chubby.api.Stat;
import io.chubby.client.ChubbyClient;
import io.chubby.client.Handle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.EnumSet;
import java.util.concurrent.Callable;

/** {@code chubby acl get|set PATH}: the three ACL names of a node. */
@Command(name = "acl", description = "Read or change the ACL names (read, write, change) of a node.",
        subcommands = {AclCommand.Get.class, AclCommand.Set.class})
public final class AclCommand implements Runnable {
    @ParentCommand
    ChubbyCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: get or set");
    }

    /** {@code acl get PATH}. */
    @Command(name = "get", description = "Print the node's ACL names and ACL generation.")
    public static final class Get implements Callable<Integer> {
        @ParentCommand
        AclCommand acl;

        @Parameters(paramLabel = "PATH")
        String path;

        @Override
        public Integer call() {
            try (ChubbyClient c = acl.root.connect()) {
                Stat s = c.stat(path);
                PrintStream out = acl.root.ctx().out();
                out.println("read: " + Formats.acl(s.readAcl()));
                out.println("write: " + Formats.acl(s.writeAcl()));
                out.println("change: " + Formats.acl(s.changeAcl()));
                out.println("acl.generation: " + s.aclGeneration());
            }
            return 0;
        }
    }

    /** {@code acl set PATH [--read R] [--write W] [--change C]}: names not given stay as they are. */
    @Command(name = "set", description = "Set some or all of the node's ACL names; the others stay unchanged.")
    public static final class Set implements Callable<Integer> {
        @ParentCommand
        AclCommand acl;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PATH")
        String path;

        @Option(names = "--read", paramLabel = "ACL", description = "Name of the ACL file governing reads.")
        String read;

        @Option(names = "--write", paramLabel = "ACL", description = "Name of the ACL file governing writes.")
        String write;

        @Option(names = "--change", paramLabel = "ACL", description = "Name of the ACL file governing ACL changes.")
        String change;

        @Override
        public Integer call() {
            if (read == null && write == null && change == null) {
                throw new ParameterException(spec.commandLine(), "give at least one of --read, --write, --change");
            }
            OpenOptions o = OpenOptions.read().withModes(EnumSet.of(OpenMode.READ, OpenMode.CHANGE_ACL));
            try (ChubbyClient c = acl.root.connect(); Handle h = c.open(path, o)) {
                h.setAcl(read, write, change);
            }
            return 0;
        }
    }
}
