package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code chubby acl get|set PATH}: the three ACL names of a node; {@code acl file ...} the ACL
 * files themselves ({@link AclFileCommand}); {@code acl passwd} a password hash for the acl
 * bundle's passwords file ({@link AclPasswdCommand}).
 */
@Command(name = "acl", description = {"Read or change the ACL names (read, write, change) of a node,",
        "the ACL files (acl file get|put|ls), or a password hash (acl passwd)."},
        subcommands = {AclCommand.Get.class, AclCommand.Set.class, AclFileCommand.class, AclPasswdCommand.class})
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

    /**
     * {@code acl set [-r] PATH [--read R] [--write W] [--change C]}: names not given stay as they
     * are. {@code -r}: PATH and every node below it, children before their directory (the whole
     * tree is listed first, so narrowing a directory's read ACL cannot hide its children from the
     * walk); one SetACL per node, not atomic; nodes deleted meanwhile are skipped.
     */
    @Command(name = "set", description = {"Set some or all of the node's ACL names; the others stay unchanged.",
            "-r: also every node below PATH (ACL names are copied to a node when it is created, so",
            "changing a directory's names does not change what is already below it)."})
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

        @Option(names = {"-r", "--recursive"}, description = "Also every node below PATH (not atomic).")
        boolean recursive;

        @Override
        public Integer call() {
            if (read == null && write == null && change == null) {
                throw new ParameterException(spec.commandLine(), "give at least one of --read, --write, --change");
            }
            try (ChubbyClient c = acl.root.connect()) {
                if (!recursive) {
                    set(c, path);
                    return 0;
                }
                String top = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
                List<String> tree = new ArrayList<>();
                tree.add(top);
                if (c.stat(top).directory()) {
                    below(c, top, tree);
                }
                Collections.reverse(tree); // children before their directory
                int done = 0;
                for (String p : tree) {
                    try {
                        set(c, p);
                        done++;
                    } catch (ChubbyException e) {
                        if (e.code() != ErrorCode.NO_SUCH_NODE) {
                            throw new ChubbyException(e.code(), e.detail() + " (after setting " + done + " of "
                                    + tree.size() + " nodes)", e);
                        }
                    }
                }
                acl.root.ctx().out().println("set " + done + " of " + tree.size() + " nodes under " + top);
            }
            return 0;
        }

        private void set(ChubbyClient c, String p) {
            OpenOptions o = OpenOptions.read().withModes(EnumSet.of(OpenMode.READ, OpenMode.CHANGE_ACL));
            try (Handle h = c.open(p, o)) {
                h.setAcl(read, write, change);
            }
        }

        /** Every node below directory {@code dir}, each directory before its children. */
        private static void below(ChubbyClient c, String dir, List<String> out) {
            List<DirEntry> children;
            try {
                children = c.list(dir);
            } catch (ChubbyException e) {
                if (e.code() == ErrorCode.NO_SUCH_NODE) {
                    return; // deleted meanwhile
                }
                throw e;
            }
            for (DirEntry e : children) {
                String child = dir + "/" + e.name();
                out.add(child);
                if (e.stat().directory()) {
                    below(c, child, out);
                }
            }
        }
    }
}
