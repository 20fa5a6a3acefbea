package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.client.CacheMode;
import io.chubby.client.ChubbyClient;
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
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code chubby acl file get|put|ls}: the ACL files {@code /ls/local/acl/NAME} (principal and group
 * names, one per line; {@code #} comments). Plain files of the cell: these commands only spare the
 * user the path and the format.
 */
@Command(name = "file", description = "Read, write or list the ACL files /ls/local/acl/NAME.",
        subcommands = {AclFileCommand.Get.class, AclFileCommand.Put.class, AclFileCommand.Ls.class})
public final class AclFileCommand implements Runnable {
    static final String DIR = "/ls/local/acl";

    @ParentCommand
    AclCommand acl;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: get, put or ls");
    }

    ChubbyCommand root() {
        return acl.root;
    }

    /** The path of ACL file {@code name}; a name that is not one path component is a usage error. */
    static String path(CommandSpec spec, String name) {
        if (!name.matches("[A-Za-z0-9._-]{1,255}") || name.equals(".") || name.equals("..")) {
            throw new ParameterException(spec.commandLine(), "'" + name + "' is not an ACL file name "
                    + "(one path component of [A-Za-z0-9._-])");
        }
        return DIR + "/" + name;
    }

    /** {@code acl file get NAME}: the file's contents, as stored. */
    @Command(name = "get", description = "Print the ACL file /ls/local/acl/NAME.")
    public static final class Get implements Callable<Integer> {
        @ParentCommand
        AclFileCommand file;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            String path = path(spec, name);
            try (ChubbyClient c = file.root().connect()) {
                byte[] data = c.read(path, CacheMode.UNCACHED);
                file.root().ctx().out().write(data, 0, data.length);
                file.root().ctx().out().flush();
            }
            return 0;
        }
    }

    /**
     * {@code acl file put NAME (--from FILE | NAMES...)}: writes the file whole (created if missing,
     * {@code /ls/local/acl} too; a new file takes {@code /ls/local/acl}'s ACL names).
     */
    @Command(name = "put", description = {"Write the ACL file /ls/local/acl/NAME: the NAMES given (one per line),",
            "or the contents of FILE (--from; '-' reads standard input). Creates it (and /ls/local/acl) if missing."})
    public static final class Put implements Callable<Integer> {
        @ParentCommand
        AclFileCommand file;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1..*", paramLabel = "NAMES", description = "Principal or group names.")
        List<String> names;

        @Option(names = "--from", paramLabel = "FILE", description = "Take the contents from FILE ('-': stdin).")
        String from;

        @Override
        public Integer call() {
            String path = path(spec, name);
            boolean hasNames = names != null && !names.isEmpty();
            if (hasNames == (from != null)) {
                throw new ParameterException(spec.commandLine(), "give either NAMES or --from FILE");
            }
            byte[] data = hasNames ? contents(names) : read(from);
            try (ChubbyClient c = file.root().connect()) {
                c.ensureDirectory(DIR);
                c.write(path, data);
            }
            return 0;
        }

        private byte[] contents(List<String> list) {
            StringBuilder b = new StringBuilder();
            for (String n : list) {
                String s = n.strip();
                if (s.isEmpty() || s.contains("#") || s.contains("\n") || s.contains("\r")) {
                    throw new ParameterException(spec.commandLine(), "'" + n + "' is not a principal or group name");
                }
                b.append(s).append('\n');
            }
            return b.toString().getBytes(StandardCharsets.UTF_8);
        }

        private byte[] read(String source) {
            try {
                return source.equals("-") ? file.root().ctx().in().readAllBytes() : Files.readAllBytes(Path.of(source));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
            }
        }
    }

    /** {@code acl file ls}: the names of the ACL files, one per line. */
    @Command(name = "ls", description = "List the ACL files (their names, one per line).")
    public static final class Ls implements Callable<Integer> {
        @ParentCommand
        AclFileCommand file;

        @Override
        public Integer call() {
            try (ChubbyClient c = file.root().connect()) {
                List<DirEntry> entries;
                try {
                    entries = c.list(DIR);
                } catch (ChubbyException e) {
                    if (e.code() != ErrorCode.NO_SUCH_NODE) {
                        throw e;
                    }
                    entries = List.of();
                }
                for (DirEntry e : entries) {
                    if (!e.stat().directory()) {
                        file.root().ctx().out().println(e.name());
                    }
                }
            }
            return 0;
        }
    }
}
