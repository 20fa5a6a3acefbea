package io.chubby.bench;

import io.chubby.api.CreateMode;
import io.chubby.api.OpenOptions;
import io.chubby.client.CacheMode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.client.ReplicaStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The latency a Chubby proxy adds (issue 17): one 5-replica cell, one proxy process
 * ({@code bin/chubby-proxy}) in front of it, and two clients of the same cell, one direct and one
 * through the proxy, each on a file of its own. Each operation is done by both in turn (direct, proxied; then proxied,
 * direct; ...), so both meet the same moment's load, and the difference of the medians is what
 * the proxy adds. Operations: a 100-byte write, an uncached read ({@link CacheMode#UNCACHED}:
 * always from the master), and a cached read (direct: the client library's own cache; proxied:
 * the proxy's shared cache, one round trip to the proxy).
 *
 * <p>{@code Bench --proxy-latency [--replicas R] [--ops N] [--warmup S]} (R: cell size, default 5;
 * with 1 the write has no followers, so the proxy's hops do not compete with their work for the
 * machine's cores).
 */
final class ProxyLatency {
    private static final byte[] VALUE = new byte[100];
    private static final String FILE = "/ls/local/bench-proxy-latency";

    private ProxyLatency() {
    }

    static void run(Path home, Path work, int replicas, int ops, long warmMs) throws Exception {
        Files.createDirectories(work);
        try (ChubbyCell cell = new ChubbyCell(home, work.resolve("proxy-latency-cell"), replicas, 17000, "")) {
            cell.start();
            System.out.println("== chubby: warm-up " + Workloads.warmUp(cell, warmMs));
            try (ProxyFleet fleet = new ProxyFleet(home, work.resolve("proxy-latency-proxy"), 17400, 1)) {
                fleet.start(cell.cellSpec());
                String proxy = fleet.address(1);
                try (ChubbyClient direct = ChubbyClient.connect(options(cell.cellSpec()));
                     ChubbyClient proxied = ChubbyClient.connect(options(proxy));
                     // a file each: a write to a file the other client caches would wait for its invalidation
                     Handle d = direct.open(FILE + "-direct", OpenOptions.write().withCreate(CreateMode.MAY));
                     Handle x = proxied.open(FILE + "-proxied", OpenOptions.write().withCreate(CreateMode.MAY))) {
                    for (int i = 0; i < 500; i++) { // both paths hot before anything is timed
                        d.setContents(VALUE);
                        x.setContents(VALUE);
                        d.getContentsAndStat(CacheMode.UNCACHED);
                        x.getContentsAndStat(CacheMode.UNCACHED);
                    }
                    System.out.println("| operation (" + ops + " each) | direct p50 ms | through proxy p50 ms | added p50 ms"
                            + " | direct p99 ms | through proxy p99 ms |");
                    System.out.println("|---|---:|---:|---:|---:|---:|");
                    measure("100-byte write", ops, () -> d.setContents(VALUE), () -> x.setContents(VALUE));
                    measure("uncached read", ops, () -> d.getContentsAndStat(CacheMode.UNCACHED),
                            () -> x.getContentsAndStat(CacheMode.UNCACHED));
                    d.getContentsAndStat();
                    x.getContentsAndStat();
                    measure("cached read (client cache / proxy cache)", ops, d::getContentsAndStat,
                            x::getContentsAndStat);
                    ReplicaStatus s = ChubbyClient.status(proxy, Duration.ofSeconds(2));
                    System.out.println("proxy: " + s.metrics() + "; load average " + Procs.loadAverage());
                }
            }
        }
    }

    private static ClientOptions options(String spec) {
        return ClientOptions.builder().cell(spec).callTimeout(Duration.ofSeconds(20)).build();
    }

    private interface Op {
        void run() throws Exception;
    }

    private static void measure(String label, int ops, Op direct, Op proxied) throws Exception {
        Stats sd = new Stats();
        Stats sp = new Stats();
        for (int i = 0; i < ops; i++) {
            if (i % 2 == 0) {
                time(direct, sd);
                time(proxied, sp);
            } else {
                time(proxied, sp);
                time(direct, sd);
            }
        }
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %+.3f | %.3f | %.3f |%n", label, sd.percentileMs(50),
                sp.percentileMs(50), sp.percentileMs(50) - sd.percentileMs(50), sd.percentileMs(99),
                sp.percentileMs(99));
    }

    private static void time(Op op, Stats stats) throws Exception {
        long t = System.nanoTime();
        op.run();
        stats.add(System.nanoTime() - t);
    }
}
