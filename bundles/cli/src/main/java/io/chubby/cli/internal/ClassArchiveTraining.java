package io.chubby.cli.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The run that decides what the {@code chubby} command's class archive holds (AppCDS, JDK 17
 * {@code -XX:ArchiveClassesAtExit}): {@code bin/chubby-archive} runs this main once, with the
 * classpath and JVM options of {@code bin/chubby}, when the distribution is assembled. A class
 * mapped from the archive is not read, parsed and verified again, and the archive also keeps what
 * the run linked and generated (lambda classes), so a short command such as {@code chubby cat}
 * starts sooner.
 *
 * <p>What is archived is what this run loads, so it takes the paths real commands take: the whole
 * command tree (every command's picocli model and help), then file commands ({@code mkdir -p},
 * {@code put}, {@code cat}, {@code ls -l}, {@code stat}, {@code put --cas}, {@code rm},
 * {@code session}, {@code master}, {@code cell status}) through the real client library against a
 * {@link TrainingReplica} on a loopback port (no cell exists while the distribution is assembled),
 * and one command against a port where nothing listens (the error path). Training on real paths
 * measured about 10% faster per call than archiving every class of the command's libraries
 * (bigger archive, no linked classes). picocli itself is compiled for Java 5, which JDK 17's
 * archive cannot hold.
 */
public final class ClassArchiveTraining {
    private ClassArchiveTraining() {
    }

    public static void main(String[] args) throws IOException {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        CliContext ctx = new CliContext(sink, sink, new ByteArrayInputStream(new byte[0]), Map.of(),
                Path.of("").toAbsolutePath(), CellAccess.LIBRARY, CliContext.Waiter.EMBEDDED, false);
        Cli.commandLine(ctx).getSubcommands().values().forEach(c -> c.getUsageMessage());
        int failed = 0;
        try (TrainingReplica replica = new TrainingReplica()) {
            String cell = replica.address();
            for (List<String> line : List.of(List.of("mkdir", "-p", "/ls/local/t/d"),
                    List.of("put", "/ls/local/t/f", "v"), List.of("cat", "/ls/local/t/f"), List.of("ls", "-l", "/ls/local/t"),
                    List.of("stat", "/ls/local/t/f"), List.of("put", "--cas", "1", "/ls/local/t/f", "w"),
                    List.of("rm", "/ls/local/t/f"), List.of("session"), List.of("master"), List.of("cell", "status"))) {
                String[] argv = java.util.stream.Stream.concat(java.util.stream.Stream.of("--cell", cell), line.stream())
                        .toArray(String[]::new);
                if (Cli.run(ctx, argv) != 0) {
                    failed++;
                }
            }
        }
        int refused = Cli.run(ctx, "--cell", "127.0.0.1:" + closedPort(), "--timeout", "1", "cat", "/ls/local/x");
        System.out.println("class archive training: " + failed + " command(s) against the training replica failed;"
                + " one against a closed port exited " + refused);
        System.exit(0); // the JVM writes the archive now
    }

    /** A loopback port nothing listens on (just closed). */
    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
