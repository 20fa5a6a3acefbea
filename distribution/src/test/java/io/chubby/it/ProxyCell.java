package io.chubby.it;

import io.chubby.api.ChubbyException;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientSecurity;
import io.chubby.client.ReplicaStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Proxies of real processes ({@code bin/chubby-proxy}) in front of a {@link LocalCell}: each in its
 * own instance directory under the cell's (so {@link LocalCell#destroy()} also finds them), started
 * and waited for until it answers Status as a proxy. {@link #kill(int)} is a kill -9;
 * {@link #destroy()} kills whatever is left. Used by one test thread.
 */
final class ProxyCell {
    private static final long START_DEADLINE_MS = 60_000;

    private final LocalCell cell;
    /** How Status is asked of a proxy (TLS when its client port has it). */
    private final ClientSecurity probe;
    /** bin/chubby-proxy options beyond --cell, --port and --dir (TLS, passwords). */
    private final List<String> options;
    private final List<String> addresses = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    /** The distribution whose bin/chubby-proxy runs the proxies. */
    private final Path dist;

    private ProxyCell(Path dist, LocalCell cell, ClientSecurity probe, List<String> options) {
        this.dist = dist;
        this.cell = cell;
        this.probe = probe;
        this.options = List.copyOf(options);
    }

    /** Starts {@code n} proxies in front of {@code cell} and waits until each serves. */
    static ProxyCell start(LocalCell cell, int n) {
        return start(cell, n, ClientSecurity.NONE, List.of());
    }

    /**
     * As above, each with {@code options} (e.g. {@code --ca --cert --key}), asked for its Status with
     * {@code probe}.
     */
    static ProxyCell start(LocalCell cell, int n, ClientSecurity probe, List<String> options) {
        return start(ExamOptions.dist(), cell, n, probe, options);
    }

    /** As above, with {@code dist}'s bin/chubby-proxy (e.g. a distribution made by {@code dist assemble}). */
    static ProxyCell start(Path dist, LocalCell cell, int n, ClientSecurity probe, List<String> options) {
        ProxyCell p = new ProxyCell(dist, cell, probe, options);
        for (int i = 0; i < n; i++) {
            p.startOne();
        }
        return p;
    }

    private void startOne() {
        int i = processes.size() + 1;
        int port = freePort();
        String address = "127.0.0.1:" + port;
        Path dir = cell.dir().resolve("proxy-" + i);
        try {
            Files.createDirectories(dir.resolve("log"));
            List<String> command = new ArrayList<>(List.of(dist.resolve("bin/chubby-proxy").toString(),
                    "--cell", cell.cellSpec(), "--port", Integer.toString(port), "--dir", dir.toString()));
            command.addAll(options);
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("log").resolve("script.out").toFile())
                    .start();
            processes.add(p);
            addresses.add(address);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long end = System.currentTimeMillis() + START_DEADLINE_MS;
        while (status(address, probe) == null) {
            if (System.currentTimeMillis() > end || !processes.get(i - 1).isAlive()) {
                throw new AssertionError("proxy " + i + " at " + address + " did not start serving\n" + log(i));
            }
            sleep(200);
        }
    }

    /** The CHUBBY_CELL value naming every proxy. */
    String spec() {
        return String.join(",", addresses);
    }

    String address(int i) {
        return addresses.get(i - 1);
    }

    /** The proxy's Status (role proxy), or null when it does not answer as a proxy. */
    static ReplicaStatus status(String address) {
        return status(address, ClientSecurity.NONE);
    }

    /** As above, over TLS or with credentials as {@code security} says. */
    static ReplicaStatus status(String address, ClientSecurity security) {
        try {
            ReplicaStatus s = ChubbyClient.status(address, Duration.ofSeconds(2), security);
            return "proxy".equals(s.role()) ? s : null;
        } catch (ChubbyException e) {
            return null;
        }
    }

    Map<String, String> metrics(int i) {
        ReplicaStatus s = status(address(i), probe);
        return s == null ? Map.of() : s.metrics();
    }

    /** Starts one more proxy and waits until it serves; returns its number. */
    int startAnother() {
        startOne();
        return processes.size();
    }

    /** SIGTERM to proxy {@code i} (a clean stop: Felix stops its bundles); returns once it exited. */
    void stop(int i) {
        Process p = processes.get(i - 1);
        p.destroy();
        try {
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("proxy " + i + " did not stop on SIGTERM\n" + log(i));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** kill -9 of proxy {@code i}; returns once it is gone. */
    void kill(int i) {
        Process p = processes.get(i - 1);
        p.destroyForcibly();
        try {
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("proxy " + i + " survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    String log(int i) {
        Path f = cell.dir().resolve("proxy-" + i).resolve("log");
        StringBuilder b = new StringBuilder();
        for (String name : List.of("script.out", "console.log", "proxy.log")) {
            try {
                List<String> lines = Files.readAllLines(f.resolve(name));
                b.append("--- ").append(name).append('\n').append(lines.stream()
                        .skip(Math.max(0, lines.size() - 40)).collect(Collectors.joining("\n"))).append('\n');
            } catch (IOException e) {
                b.append("--- no ").append(name).append('\n');
            }
        }
        return b.toString();
    }

    /** SIGKILL to every proxy still running. */
    void destroy() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A free port below the kernel's ephemeral range, which outgoing connections never take (see LocalCell). */
    private static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 10_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(22_000);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port in 10000-31999 on 127.0.0.1"));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
