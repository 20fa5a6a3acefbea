package io.chubby.faults;

import io.chubby.spi.ReplicaConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Command line of the long run (tools/faults/soak): one {@link FaultRun} of the given length.
 * Prints the summary; exit status 0 when there were no anomalies, 1 when there were, 2 on bad
 * usage or when the run could not be done (e.g. no master ever).
 *
 * <pre>
 * SoakMain --dist DIR [--minutes N] [--seed S] [--replicas R] [--clients C] [--keys K]
 *          [--proxies N] [--partitions N] [--dir WORKDIR] [--no-client-proxies] [--lease-ms L] [--set KEY=VALUE]...
 *          [--faults kill-master,kill-follower,pause-master,partition-master,one-way-loss,slow-links,
 *                    isolate-clients-from-master,kill-proxy,pause-proxy,kill-group-master,
 *                    pause-group-master,hand-off-storm]
 * </pre>
 */
public final class SoakMain {
    private SoakMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dist = null;
        Path dir = null;
        double minutes = 30;
        long seed = System.currentTimeMillis();
        int replicas = 5;
        int clients = 4;
        int keys = 3;
        int lockers = 3;
        boolean ephemeral = true;
        boolean clientProxies = true;
        int proxies = 0;
        int partitions = 1;
        long lease = 1500;
        java.util.Set<Nemesis.Fault> only = new java.util.HashSet<>();
        Map<String, String> config = new java.util.TreeMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--dist" -> dist = Path.of(value(args, ++i, a));
                case "--dir" -> dir = Path.of(value(args, ++i, a));
                case "--minutes" -> minutes = Double.parseDouble(value(args, ++i, a));
                case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                case "--replicas" -> replicas = Integer.parseInt(value(args, ++i, a));
                case "--clients" -> clients = Integer.parseInt(value(args, ++i, a));
                case "--keys" -> keys = Integer.parseInt(value(args, ++i, a));
                case "--lease-ms" -> lease = Long.parseLong(value(args, ++i, a));
                case "--no-client-proxies" -> clientProxies = false;
                case "--lockers" -> lockers = Integer.parseInt(value(args, ++i, a));
                case "--no-ephemeral" -> ephemeral = false;
                case "--proxies" -> proxies = Integer.parseInt(value(args, ++i, a));
                case "--partitions" -> partitions = Integer.parseInt(value(args, ++i, a));
                case "--set" -> {
                    String kv = value(args, ++i, a);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        usage("--set needs key=value");
                    }
                    try {
                        ReplicaConfig.pidOf(kv.substring(0, eq)); // a key of no component: say so now
                    } catch (IllegalArgumentException e) {
                        usage("--set " + e.getMessage());
                    }
                    config.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                case "--faults" -> {
                    for (String f : value(args, ++i, a).split(",")) {
                        only.add(Nemesis.Fault.byLabel(f.trim()));
                    }
                }
                default -> usage("unknown argument " + a);
            }
        }
        if (dist == null) {
            usage("--dist is required");
        }
        if (dir == null) {
            dir = Files.createTempDirectory("chubby-soak-");
        }
        if (lease != 1500) {
            config.put("paxos.lease.ms", Long.toString(lease));
        }
        FaultRun.Settings s = new FaultRun.Settings(seed, replicas, clients, keys,
                Duration.ofMillis((long) (minutes * 60_000)), dist, dir, clientProxies, "", config, lease, only, lockers, ephemeral,
                proxies, partitions);
        System.out.println("soak start=" + Instant.now() + " seed=" + seed + " minutes=" + minutes + " dir=" + dir);
        RunSummary summary;
        try {
            summary = new FaultRun(s).run();
        } catch (IllegalStateException e) {
            System.err.println("soak could not run: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.print(summary.report());
        System.out.println("journal=" + dir.resolve("faults.log") + " history=" + dir.resolve("history.txt"));
        System.exit(summary.clean() ? 0 : 1);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            usage(option + " needs a value");
        }
        return args[i];
    }

    private static void usage(String why) {
        System.err.println("soak: " + why);
        System.err.println("usage: SoakMain --dist DIR [--minutes N] [--seed S] [--replicas R] [--clients C] "
                + "[--keys K] [--lockers L] [--no-ephemeral] [--proxies N] [--partitions N] [--dir WORKDIR] [--no-client-proxies] [--lease-ms L] [--set KEY=VALUE]... [--faults LABEL,...]");
        System.exit(2);
    }
}
