package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.ReplicaStatus;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code chubby proxy status --proxy ADDR}: one proxy (bundles/proxy) as it reports itself in its
 * Status answer: its address and pid, the cell and master upstream, the epoch, its client
 * connections and sessions, the client KeepAlives it holds, the group calls it made, its cache
 * (entries and hit rate), and the version of the proxy bundle serving (which build a hot deploy
 * left running); then every other figure the proxy reports, by name (bundles/proxy README,
 * "Status"), so a newer proxy's figures show without a newer CLI.
 */
@Command(name = "proxy", description = "Inspect a proxy (bin/chubby-proxy).",
        subcommands = {ProxyCommand.Status.class})
public final class ProxyCommand implements Runnable {
    @ParentCommand
    ChubbyCommand root;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(root.spec.commandLine(), "missing subcommand: status");
    }

    /** Computed from {@code cache_hits} and {@code cache_misses} ({@link ProxyListing#hitRate}). */
    static final String HIT_RATE = "hit_rate";

    /** The metrics printed first, in this order; the proxy's other metrics follow in name order. */
    static final List<String> METRICS = List.of("upstream_cell", "upstream_master", "clients", "client_sessions",
            "held_keepalives", "group_calls", "cache_entries", HIT_RATE, "opens_passed", "absence_entries",
            "absence_hits", "absence_fills", "principals_carried", "read_grants", "acl_view", "bundle_version");

    @Command(name = "status", description = {"One line: the proxy's address, pid, upstream cell and master, epoch,",
            "client connections, client sessions, held client KeepAlives, group KeepAlives sent upstream,",
            "cache entries and hit rate, Opens passed to the master, cached absent paths, Opens answered absent",
            "from the cache and absence fills, principals carried, cached-read grants, acl_view and the proxy",
            "bundle's version; then the proxy's other figures (cache hits and misses, group parts, session",
            "limit, ...) in name order."})
    static final class Status implements Callable<Integer> {
        @ParentCommand
        ProxyCommand proxy;

        @Option(names = "--proxy", paramLabel = "HOST:PORT", required = true, description = "The proxy's client address.")
        String address;

        @Override
        public Integer call() {
            ChubbyCommand root = proxy.root;
            ReplicaStatus s = root.ctx().access().status(address, root.timeout(), root.security());
            if (!"proxy".equals(s.role())) {
                throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, address + " is not a proxy (it answers as "
                        + s.role() + "); see chubby cell status");
            }
            root.ctx().out().println(line(address, s));
            return 0;
        }
    }

    static String line(String address, ReplicaStatus s) {
        StringBuilder b = new StringBuilder("proxy ").append(address).append(" pid=").append(s.pid())
                .append(" epoch=").append(s.epoch());
        Map<String, String> m = s.metrics();
        for (String k : METRICS) {
            String v = k.equals(HIT_RATE) ? ProxyListing.hitRate(m.get("cache_hits"), m.get("cache_misses"))
                    : m.getOrDefault(k, "-");
            b.append(' ').append(k).append('=').append(v);
        }
        new TreeMap<>(m).forEach((k, v) -> {
            if (!METRICS.contains(k)) {
                b.append(' ').append(k).append('=').append(v.isEmpty() ? "-" : v.replace(' ', '_'));
            }
        });
        return b.toString();
    }
}
