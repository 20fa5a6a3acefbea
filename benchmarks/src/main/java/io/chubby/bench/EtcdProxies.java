package io.chubby.bench;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's gRPC proxies ({@code etcd grpc-proxy start}, real processes) in front of a cluster for the
 * benchmarks: proxy k listens on 127.0.0.1:basePort+k with its data directory under
 * {@code dir}/grpc-proxy-k. A proxy's {@code /metrics} (also on {@code --metrics-addr}) is, in etcd
 * 3.4, the page of one cluster member passed on, not the proxy's own counters, so what reached the
 * cluster is read from the members (see {@link EtcdCluster}).
 */
final class EtcdProxies implements AutoCloseable {
    private final Path dir;
    private final int basePort;
    private final Process[] processes;

    EtcdProxies(Path dir, int basePort, int count) {
        this.dir = dir;
        this.basePort = basePort;
        this.processes = new Process[count];
    }

    /** Starts every proxy in front of {@code endpoints} (host:port, comma-separated) and waits until each listens. */
    void start(String endpoints) throws Exception {
        for (int k = 1; k <= processes.length; k++) {
            Path d = dir.resolve("grpc-proxy-" + k);
            Files.createDirectories(d);
            processes[k - 1] = Procs.spawn(d, List.of("etcd", "grpc-proxy", "start", "--endpoints=" + endpoints,
                    "--listen-addr=" + address(k), "--advertise-client-url=" + address(k),
                    "--data-dir=" + d.resolve("data")), d.resolve("console.log"));
        }
        for (int k = 1; k <= processes.length; k++) {
            await(k);
        }
    }

    private void await(int k) {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end && processes[k - 1].isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", basePort + k), 500);
                return;
            } catch (java.io.IOException notYet) {
                Procs.sleep(100);
            }
        }
        throw new IllegalStateException("etcd grpc-proxy " + k + " at " + address(k) + " did not listen within 30 s; see "
                + dir.resolve("grpc-proxy-" + k).resolve("console.log"));
    }

    /** host:port of proxy k (1-based). */
    String address(int k) {
        return "127.0.0.1:" + (basePort + k);
    }

    /** The proxies' client URLs. */
    List<String> urls() {
        List<String> out = new ArrayList<>();
        for (int k = 1; k <= processes.length; k++) {
            out.add("http://" + address(k));
        }
        return out;
    }

    int count() {
        return processes.length;
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
