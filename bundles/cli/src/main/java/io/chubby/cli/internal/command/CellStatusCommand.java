package io.chubby.cli.internal.command;

import io.chubby.cli.internal.cell.TlsConfig;
import io.chubby.client.ClientSecurity;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cli.internal.CellAccess;
import io.chubby.cli.internal.cell.CellLayout;
import io.chubby.cli.internal.cell.PidFile;
import io.chubby.client.ReplicaStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code chubby cell status}: one line per replica, asked in parallel (again, until one answers or
 * --timeout passes), then one per proxy registered with the cell ({@link ProxyListing}). The
 * replicas come from --cell, else --dir, else CHUBBY_CELL, else the default cell directory.
 */
@Command(name = "status", description = {"One line per replica: replica id, address, pid, role (master/replica/candidate/down),",
        "epoch, last applied log index and checksum of the state at that index (in a partitioned cell, an",
        "indented line per Paxos group under it); a line per group whose replicas hold different checksums",
        "at the same applied index; then one line per proxy",
        "registered with the cell: address, pid, role (proxy/down), clients, client sessions, sessions, cache hit rate."})
public final class CellStatusCommand implements java.util.concurrent.Callable<Integer> {
    @ParentCommand
    CellCommand cell;

    @Option(names = "--dir", paramLabel = "DIR", description = "Directory of a local cell (used when --cell is not given).")
    String dir;

    @Override
    public Integer call() {
        ChubbyCommand root = cell.root;
        Optional<CellLayout> layout = Optional.empty();
        List<String> addresses;
        if (root.cell == null && (dir != null || root.namedCell().isEmpty())) {
            Path cellDir = cell.dir(dir);
            layout = CellLayout.read(cellDir);
            addresses = layout.orElseThrow(() -> new ParameterException(root.spec.commandLine(),
                    "no cell in " + cellDir + " and no --cell or CHUBBY_CELL given")).clientAddresses();
        } else {
            addresses = root.cellAddresses();
        }
        ClientSecurity security = root.security();
        if (security.tls().isEmpty() && layout.isPresent() && new TlsConfig(layout.get()).present()) {
            security = new TlsConfig(layout.get()).adminSecurity(); // a local TLS cell: its own admin certificate
        }
        List<Optional<ReplicaStatus>> answers = probeUntilOneAnswers(root.ctx().access(), security, addresses,
                root.timeout());
        PrintStream out = root.ctx().out();
        int up = 0;
        for (int k = 0; k < addresses.size(); k++) {
            int id = k + 1;
            Optional<ReplicaStatus> s = answers.get(k);
            if (s.isPresent()) {
                up++;
                String http = layout.map(l -> " http=" + l.httpAddress(id)).orElse("");
                out.println(Formats.statusLine(id, addresses.get(k), s.get()) + http + leaseMetrics(s.get())
                        + restoredFrom(s.get()));
                GroupLines.of(s.get()).forEach(out::println);
            } else {
                String pid = layout.flatMap(l -> new PidFile(l.pidFile(id)).alive())
                        .map(p -> Long.toString(p.pid())).orElse("-");
                out.println(Formats.downLine(id, addresses.get(k), pid));
            }
        }
        if (up == 0) {
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "no replica of " + String.join(",", addresses)
                    + " answered within " + root.timeout().toSeconds() + " s (--timeout)");
        }
        GroupLines.disagreements(answers).forEach(out::println);
        if (answers.stream().anyMatch(a -> a.isPresent() && a.get().isMaster())) {
            printProxies(root, addresses, security, out);
        }
        return 0;
    }

    /**
     * One line per proxy registered with the cell, after the replicas (none: nothing printed). A
     * listing the cell refuses or cannot answer in time is one stderr line; the exit status stays 0,
     * the replicas having answered.
     */
    private static void printProxies(ChubbyCommand root, List<String> addresses, ClientSecurity security,
                                     PrintStream out) {
        Duration timeout = root.timeout().compareTo(ProxyListing.LISTING_TIMEOUT) < 0 ? root.timeout()
                : ProxyListing.LISTING_TIMEOUT;
        List<ProxyListing.Registered> proxies;
        try {
            proxies = ProxyListing.read(root.ctx().access(), addresses, security, timeout);
        } catch (ChubbyException e) {
            root.ctx().err().println("chubby: proxies not listed: " + e.code() + ": " + e.getMessage());
            return;
        }
        List<Optional<ReplicaStatus>> status = ProxyListing.probe(root.ctx().access(), security, proxies);
        for (int k = 0; k < proxies.size(); k++) {
            out.println(ProxyListing.line(proxies.get(k), status.get(k)));
        }
    }

    /**
     * Asks every replica at once, in rounds (backoff as for every command) until at least one
     * answers or --timeout has passed: the rule every command follows for reaching the cell. The
     * replicas that did not answer in the round that ended it are shown down.
     */
    static List<Optional<ReplicaStatus>> probeUntilOneAnswers(CellAccess access, ClientSecurity security,
                                                                       List<String> addresses,
                                                                      Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMs = ChubbyCommand.RETRY_FIRST_MS;
        while (true) {
            long leftMs = Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            List<Optional<ReplicaStatus>> answers = probeAll(access, security, addresses, Duration.ofMillis(leftMs));
            if (answers.stream().anyMatch(Optional::isPresent)) {
                return answers;
            }
            backoffMs = ChubbyCommand.pause(deadline, backoffMs);
            if (backoffMs < 0) {
                return answers;
            }
        }
    }

    private static List<Optional<ReplicaStatus>> probeAll(CellAccess access, ClientSecurity security,
                                                           List<String> addresses, Duration timeout) {
        ExecutorService pool = Executors.newFixedThreadPool(addresses.size(), r -> {
            Thread t = new Thread(r, "chubby-status");
            t.setDaemon(true);
            return t;
        });
        try {
            List<CompletableFuture<Optional<ReplicaStatus>>> futures = new ArrayList<>();
            for (String a : addresses) {
                futures.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return Optional.of(access.status(a, timeout, security));
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
     * A replica whose data was restored from a backup says so (issue 19): {@code restored="LINE"}
     * with the restore marker's line (backup, index, epoch), appended when the replica reports it.
     */
    static String restoredFrom(ReplicaStatus s) {
        String line = s.metrics() == null ? null : s.metrics().get("restored_from");
        return line == null ? "" : " restored=\"" + line.replace("\"", "'") + "\"";
    }

    /** The master's lease policy and load (issue 5), appended as key=value when the replica reports them. */
    static String leaseMetrics(ReplicaStatus s) {
        java.util.Map<String, String> m = s.metrics();
        if (m == null || !"master".equals(s.role()) || !m.containsKey("lease_ms")) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (String k : java.util.List.of("lease_ms", "sessions", "keepalives_per_s")) {
            if (m.containsKey(k)) {
                b.append(' ').append(k).append('=').append(m.get(k));
            }
        }
        return b.toString();
    }
}
