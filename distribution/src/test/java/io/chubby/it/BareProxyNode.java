package io.chubby.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A proxy node without the proxy bundle: a real {@code bin/chubby-proxy} process run from a copy of
 * the assembled distribution whose {@code proxy/} lacks {@code chubby-proxy.jar} (and whose
 * {@code deploy/} is its own, so nothing dropped there reaches the cell's replicas, which run from
 * the original). The script writes the proxy's configuration as always; the node runs Felix with the
 * rest of the proxy profile and FileInstall watching the copy's {@code deploy/}, and serves nobody
 * until a proxy bundle arrives there. The copy and the instance live under the cell's directory, so
 * {@link LocalCell#destroy()} also finds the process. Used by one test thread.
 */
final class BareProxyNode {
    static final String PROXY_JAR = "chubby-proxy.jar";
    private static final long START_DEADLINE_MS = 30_000;

    private final Path home;
    private final Path instance;
    private final int port;
    private final Process process;

    private BareProxyNode(Path home, Path instance, int port, Process process) {
        this.home = home;
        this.instance = instance;
        this.port = port;
        this.process = process;
    }

    /**
     * Copies the distribution without the proxy bundle, starts {@code bin/chubby-proxy} from the copy
     * in front of {@code cell} and returns once its FileInstall watches {@code deploy/}.
     */
    static BareProxyNode start(LocalCell cell) throws IOException, InterruptedException {
        Path home = cell.dir().resolve("proxy-home");
        copyWithoutProxyBundle(ExamOptions.dist(), home);
        Path instance = cell.dir().resolve("proxy-node");
        Files.createDirectories(instance.resolve("log"));
        int port = freePort();
        Process p = new ProcessBuilder(home.resolve("bin/chubby-proxy").toString(), "--cell", cell.cellSpec(),
                "--port", Integer.toString(port), "--dir", instance.toString())
                .redirectErrorStream(true).redirectOutput(instance.resolve("log").resolve("script.out").toFile())
                .start();
        BareProxyNode node = new BareProxyNode(home, instance, port, p);
        node.awaitDeployWatcher();
        return node;
    }

    /** Every file of {@code dist} but {@code proxy/chubby-proxy.jar} and whatever sits in {@code deploy/}. */
    private static void copyWithoutProxyBundle(Path dist, Path home) throws IOException {
        Path skippedJar = dist.resolve("proxy").resolve(PROXY_JAR);
        Path deploy = dist.resolve("deploy");
        List<Path> all;
        try (Stream<Path> s = Files.walk(dist)) {
            all = s.toList();
        }
        for (Path from : all) {
            Path to = home.resolve(dist.relativize(from).toString());
            if (Files.isDirectory(from)) {
                Files.createDirectories(to);
            } else if (!from.equals(skippedJar) && !from.startsWith(deploy)) {
                Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /**
     * Waits until the node's second FileInstall watcher (the one on deploy/, configured by the
     * {@code org.apache.felix.fileinstall-deploy.cfg} the script wrote) exists: it makes its
     * temporary directory when it starts.
     */
    private void awaitDeployWatcher() throws InterruptedException {
        Path watcherTmp = instance.resolve("felix-cache").resolve("fileinstall-deploy-tmp");
        long end = System.currentTimeMillis() + START_DEADLINE_MS;
        while (!Files.isDirectory(watcherTmp)) {
            if (!process.isAlive() || System.currentTimeMillis() > end) {
                throw new AssertionError("the proxy node's deploy watcher did not start (alive=" + process.isAlive()
                        + ")\n" + log());
            }
            Thread.sleep(100);
        }
    }

    /** The copy's deploy/ directory, which this node's FileInstall watches. */
    Path deployDir() {
        return home.resolve("deploy");
    }

    /** The proxy bundle jar the distribution ships (the one this node's copy lacks). */
    static Path shippedProxyJar() {
        return ExamOptions.dist().resolve("proxy").resolve(PROXY_JAR);
    }

    Path proxyProfileDir() {
        return home.resolve("proxy");
    }

    int port() {
        return port;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * The log lines that contain {@code fragment}, from the node's proxy.log (slf4j: the product's
     * components).
     */
    List<String> logLines(String fragment) {
        try {
            Path f = instance.resolve("log").resolve("proxy.log");
            return Files.isRegularFile(f) ? Files.readAllLines(f).stream().filter(l -> l.contains(fragment)).toList()
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM (Felix stops its bundles); returns once the process exited. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the proxy node did not stop on SIGTERM\n" + log());
        }
    }

    /** SIGKILL if still running (a test's clean-up). */
    void destroy() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Tails of the node's logs, for failure messages. */
    String log() {
        StringBuilder b = new StringBuilder();
        for (String name : List.of("script.out", "console.log", "proxy.log")) {
            try {
                List<String> lines = new ArrayList<>(Files.readAllLines(instance.resolve("log").resolve(name)));
                b.append("--- ").append(name).append('\n').append(lines.stream()
                        .skip(Math.max(0, lines.size() - 40)).collect(Collectors.joining("\n"))).append('\n');
            } catch (IOException e) {
                b.append("--- no ").append(name).append('\n');
            }
        }
        return b.toString();
    }

    /** A free port below the kernel's ephemeral range (see LocalCell). */
    private static int freePort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int candidate = 10_000 + ThreadLocalRandom.current().nextInt(22_000);
            if (free(candidate)) {
                return candidate;
            }
        }
        throw new IOException("no free port in 10000-31999 on 127.0.0.1");
    }

    /** Whether nothing listens on {@code port} of 127.0.0.1 (binding it succeeds). */
    static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
