package io.chubby.cli.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The run that decides what the {@code chubby} command's class archive holds (AppCDS, JDK 17
 * {@code -XX:ArchiveClassesAtExit}): {@code bin/chubby-archive} runs this main once, with the
 * classpath and JVM options of {@code bin/chubby}, when the distribution is assembled. Loading a
 * class from the archive skips reading, parsing and verifying it, which is most of what a short
 * command such as {@code chubby cat} spends before it talks to the cell.
 *
 * <p>What it loads: every class of the command's own libraries under {@link #PACKAGES} (loaded,
 * not initialised: nothing runs), the whole command tree (picocli's model of every command), and a
 * command that tries to reach a cell where nothing listens (the client's connect path, MINA, the
 * error line). picocli itself is compiled for Java 5, which JDK 17's archive cannot hold. No cell,
 * no network beyond loopback, no files written besides the archive.
 */
public final class ClassArchiveTraining {
    /** Class-name prefixes (as paths in the jars) of what a command may load. */
    static final List<String> PACKAGES = List.of("io/chubby/", "com/google/protobuf/", "org/apache/mina/core/",
            "org/apache/mina/filter/codec/", "org/apache/mina/transport/socket/", "org/apache/mina/util/",
            "org/slf4j/");

    private ClassArchiveTraining() {
    }

    public static void main(String[] args) throws IOException {
        int loaded = preload();
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        CliContext ctx = new CliContext(sink, sink, new ByteArrayInputStream(new byte[0]), Map.of(),
                Path.of("").toAbsolutePath(), CellAccess.LIBRARY, CliContext.Waiter.EMBEDDED, false);
        Cli.commandLine(ctx).getSubcommands().values().forEach(c -> c.getUsageMessage());
        int code = Cli.run(ctx, "--cell", "127.0.0.1:" + closedPort(), "--timeout", "1", "cat", "/ls/local/x");
        System.out.println("class archive training: " + loaded + " classes loaded; a command against a closed port"
                + " exited " + code);
        System.exit(0); // the JVM writes the archive now
    }

    /** Loads (without initialising) every class under {@link #PACKAGES} in the classpath's jars. */
    private static int preload() throws IOException {
        ClassLoader loader = ClassArchiveTraining.class.getClassLoader();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.endsWith(".jar")) {
                continue;
            }
            try (JarFile jar = new JarFile(entry)) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String name = e.nextElement().getName();
                    if (name.endsWith(".class") && !name.contains("-") && PACKAGES.stream().anyMatch(name::startsWith)) {
                        try {
                            Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                            n++;
                        } catch (LinkageError | ClassNotFoundException e1) {
                            // needs what the command's classpath lacks (e.g. the Gogo API): never loaded by it either
                        }
                    }
                }
            }
        }
        return n;
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
