package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.cli.internal.CellAccess;
import io.chubby.client.CacheMode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ClientSecurity;
import io.chubby.client.ReplicaStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The proxies of {@code chubby cell status}: the registration files under {@code /ls/local/proxies}
 * (bundles/proxy README, "Registration"), read with one short session, then each proxy's own
 * Status asked live and in parallel (its client connections, sessions and cache hit rate); a proxy
 * that does not answer within {@link #PROXY_TIMEOUT} is shown {@code down}.
 */
final class ProxyListing {
    /** Cell-relative directory of the registrations, in the cell the command reaches. */
    static final String DIRECTORY = "/ls/local/proxies";
    /** How long a proxy has to answer its Status before it is shown down. */
    static final Duration PROXY_TIMEOUT = Duration.ofSeconds(2);
    /** The longest the listing may take (it runs after the replicas answered). */
    static final Duration LISTING_TIMEOUT = Duration.ofSeconds(5);

    /** One registration: the file's name and what it says (address, pid; null when missing). */
    record Registered(String name, String address, String pid) {
    }

    private ProxyListing() {
    }

    /** The registrations, in name order; none when the directory does not exist. */
    static List<Registered> read(CellAccess access, List<String> replicas, ClientSecurity security, Duration timeout) {
        ClientOptions options = ClientOptions.builder().replicas(replicas).clientName("chubby-cli cell status")
                .callTimeout(timeout).security(security).build();
        try (ChubbyClient c = access.connect(options)) {
            List<DirEntry> entries;
            try {
                entries = c.list(DIRECTORY);
            } catch (ChubbyException e) {
                if (e.code() == ErrorCode.NO_SUCH_NODE) {
                    return List.of();
                }
                throw e;
            }
            List<Registered> out = new ArrayList<>();
            for (DirEntry e : entries) {
                if (e.stat().directory()) {
                    continue;
                }
                try {
                    Map<String, String> kv = parse(new String(c.read(DIRECTORY + "/" + e.name(), CacheMode.UNCACHED),
                            StandardCharsets.UTF_8));
                    out.add(new Registered(e.name(), kv.get("address"), kv.get("pid")));
                } catch (ChubbyException gone) {
                    if (gone.code() != ErrorCode.NO_SUCH_NODE) {
                        throw gone;
                    } // deleted between the listing and the read: that proxy stopped
                }
            }
            return out;
        }
    }

    /** {@code key=value} lines; later keys win, lines without {@code =} are ignored. */
    static Map<String, String> parse(String contents) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String line : contents.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                kv.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return kv;
    }

    /** Asks every registered proxy's Status at once; empty for a proxy that did not answer as a proxy. */
    static List<Optional<ReplicaStatus>> probe(CellAccess access, ClientSecurity security, List<Registered> proxies) {
        if (proxies.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(16, proxies.size()), r -> {
            Thread t = new Thread(r, "chubby-proxy-status");
            t.setDaemon(true);
            return t;
        });
        try {
            List<CompletableFuture<Optional<ReplicaStatus>>> futures = new ArrayList<>();
            for (Registered p : proxies) {
                futures.add(CompletableFuture.supplyAsync(() -> {
                    if (p.address() == null) {
                        return Optional.<ReplicaStatus>empty();
                    }
                    try {
                        ReplicaStatus s = access.status(p.address(), PROXY_TIMEOUT, security);
                        return "proxy".equals(s.role()) ? Optional.of(s) : Optional.<ReplicaStatus>empty();
                    } catch (RuntimeException e) {
                        return Optional.<ReplicaStatus>empty(); // shown as down
                    }
                }, pool));
            }
            return futures.stream().map(CompletableFuture::join).toList();
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * {@code proxy address=A pid=P role=proxy clients=N client_sessions=S sessions=T hit_rate=R}, or
     * {@code role=down} with {@code -} for the figures (pid then from the registration).
     */
    static String line(Registered p, Optional<ReplicaStatus> status) {
        String address = p.address() == null ? "-" : p.address();
        if (status.isEmpty()) {
            return "proxy address=" + address + " pid=" + (p.pid() == null ? "-" : p.pid())
                    + " role=down clients=- client_sessions=- sessions=- hit_rate=-";
        }
        ReplicaStatus s = status.get();
        Map<String, String> m = s.metrics();
        return "proxy address=" + address + " pid=" + (s.pid() == 0 ? "-" : Long.toString(s.pid())) + " role=proxy"
                + " clients=" + m.getOrDefault("clients", "-") + " client_sessions="
                + m.getOrDefault("client_sessions", "-") + " sessions=" + s.sessions() + " hit_rate="
                + hitRate(m.get("cache_hits"), m.get("cache_misses"));
    }

    /** Cache hits over reads the cache was asked, two decimals; {@code -} before the first. */
    static String hitRate(String hits, String misses) {
        try {
            long h = Long.parseLong(hits);
            long total = h + Long.parseLong(misses);
            return total == 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) h / total);
        } catch (NumberFormatException | NullPointerException e) {
            return "-";
        }
    }
}
