package io.chubby.bench;

import io.chubby.client.ChubbyClient;
import io.chubby.client.ReplicaStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Chubby proxies ({@code bin/chubby-proxy}, real processes) in front of a cell for the benchmarks:
 * proxy k listens on 127.0.0.1:basePort+k with its directory under {@code dir}/proxy-k.
 */
final class ProxyFleet implements AutoCloseable {
    private final Path home;
    private final Path dir;
    private final int basePort;
    private final int count;
    private final Process[] processes;
    /** Extra JVM options of every proxy (CHUBBY_PROXY_OPTS), e.g. a larger heap for tens of thousands of clients. */
    private String jvmOpts = "";

    ProxyFleet(Path home, Path dir, int basePort, int count) {
        this.home = home;
        this.dir = dir;
        this.basePort = basePort;
        this.count = count;
        this.processes = new Process[count];
    }

    /** The proxies' extra JVM options (the replicas' {@code --server-opts}); call before {@link #start}. */
    ProxyFleet withJvmOpts(String opts) {
        this.jvmOpts = opts == null ? "" : opts;
        return this;
    }

    /** Starts every proxy in front of the replicas at {@code cellSpec} and waits until each serves. */
    void start(String cellSpec) throws Exception {
        for (int k = 1; k <= count; k++) {
            Path d = dir.resolve("proxy-" + k);
            Files.createDirectories(d.resolve("log"));
            processes[k - 1] = Procs.spawn(dir, List.of(home.resolve("bin/chubby-proxy").toString(), "--cell", cellSpec,
                    "--port", Integer.toString(basePort + k), "--dir", d.toString()), d.resolve("log").resolve("script.out"),
                    java.util.Map.of("CHUBBY_PROXY_OPTS", jvmOpts));
        }
        for (int k = 1; k <= count; k++) {
            await(k);
        }
    }

    private void await(int k) {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < end && processes[k - 1].isAlive()) {
            if (status(k) != null) {
                return;
            }
            Procs.sleep(200);
        }
        throw new IllegalStateException("proxy " + k + " at " + address(k) + " did not serve within 90 s; see "
                + dir.resolve("proxy-" + k).resolve("log"));
    }

    String address(int k) {
        return "127.0.0.1:" + (basePort + k);
    }

    List<String> addresses() {
        List<String> out = new ArrayList<>();
        for (int k = 1; k <= count; k++) {
            out.add(address(k));
        }
        return out;
    }

    /** The client spec naming every proxy. */
    String spec() {
        return String.join(",", addresses());
    }

    int count() {
        return count;
    }

    /** Proxy k's Status when it answers as a proxy, else null. */
    ReplicaStatus status(int k) {
        try {
            ReplicaStatus s = ChubbyClient.status(address(k), Duration.ofSeconds(2));
            return "proxy".equals(s.role()) ? s : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Sum of one numeric metric over the proxies that answer. */
    long sum(String metric) {
        long total = 0;
        for (int k = 1; k <= count; k++) {
            ReplicaStatus s = status(k);
            Map<String, String> m = s == null ? Map.of() : s.metrics();
            total += Long.parseLong(m.getOrDefault(metric, "0"));
        }
        return total;
    }

    /** User + system CPU seconds of every proxy process so far. */
    double cpuSeconds() {
        double sum = 0;
        for (Process p : processes) {
            if (p != null && p.isAlive()) {
                sum += Procs.cpuSeconds(p.pid());
            }
        }
        return sum;
    }

    @Override
    public void close() {
        Procs.stopAll(processes);
    }
}
