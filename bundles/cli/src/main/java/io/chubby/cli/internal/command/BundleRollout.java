package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.cli.internal.CliContext;
import io.chubby.client.AdminResult;
import io.chubby.client.ClientOptions;

import java.io.PrintStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code chubby bundle} does to replicas through the admin channel ({@code chubby:bundle},
 * {@code io.chubby.cli.internal.gogo.BundleCommands}): a jar is sent in pieces of
 * {@value #CHUNK_BYTES} bytes (base64, each well under the client frame limit) with its SHA-256,
 * then installed or updated; with {@code --all} one replica at a time, followers first and the
 * master last, each followed by a {@link ReplicaHealth} check; the first failure stops the walk
 * and says which replica, what failed, and which replicas were and were not done. Used by one
 * thread.
 */
final class BundleRollout {
    static final int CHUNK_BYTES = 512 * 1024;

    private final ChubbyCommand root;
    private final Duration wait;
    private final PrintStream out;

    BundleRollout(ChubbyCommand root, Duration wait) {
        this.root = root;
        this.wait = wait;
        this.out = root.ctx().out();
    }

    int upload(String op, String file, byte[] jar, String replica) throws InterruptedException {
        if (jar.length == 0) {
            throw new IllegalArgumentException(file + " is empty, not a bundle jar");
        }
        String sha = sha256(jar);
        String what = op + " " + file + " (" + jar.length + " bytes, SHA-256 " + sha.substring(0, 12) + ")";
        return roll(what, replica, address -> {
            String name = "u" + HexFormat.of().formatHex(random());
            for (int off = 0; off < jar.length; off += CHUNK_BYTES) {
                byte[] piece = Arrays.copyOfRange(jar, off, Math.min(jar.length, off + CHUNK_BYTES));
                admin(address, "chubby:bundle chunk " + name + " " + off + " "
                        + Base64.getUrlEncoder().withoutPadding().encodeToString(piece));
            }
            return admin(address, "chubby:bundle " + op + " " + name + " " + sha);
        });
    }

    int uninstall(String symbolicName, String replica) throws InterruptedException {
        if (!symbolicName.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("not a Bundle-SymbolicName: " + symbolicName);
        }
        return roll("uninstall " + symbolicName, replica, address -> admin(address, "chubby:bundle uninstall " + symbolicName));
    }

    /** Prints the merged view of every replica's bundles; exit 1 when a replica did not answer. */
    int list(String replica) {
        List<String> targets = replica != null ? List.of(checked(replica)) : root.cellAddresses();
        Map<String, Map<String, String>> byName = new TreeMap<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (String address : targets) {
            try {
                for (String line : admin(address, "chubby:bundle list").split("\n")) {
                    String[] f = line.strip().split(" ");
                    if (f.length == 5) {
                        byName.computeIfAbsent(f[1], k -> new TreeMap<>()).put(address, f[2] + " " + f[3] + " " + f[4]);
                    }
                }
            } catch (RuntimeException e) {
                failed.put(address, e.getMessage());
            }
        }
        List<String> answered = targets.stream().filter(a -> !failed.containsKey(a)).toList();
        out.println(String.format("%-40s %-22s %-11s %-12s %s", "SYMBOLIC-NAME", "VERSION", "STATE", "ORIGIN", "REPLICAS"));
        int differing = 0;
        for (Map.Entry<String, Map<String, String>> e : byName.entrySet()) {
            Map<String, List<String>> groups = new TreeMap<>();
            for (String a : answered) {
                groups.computeIfAbsent(e.getValue().getOrDefault(a, "- absent -"), k -> new ArrayList<>()).add(a);
            }
            boolean differs = groups.size() > 1;
            differing += differs ? 1 : 0;
            for (Map.Entry<String, List<String>> g : groups.entrySet()) {
                String[] v = g.getKey().split(" ");
                String where = !differs && answered.size() > 1 ? "all " + answered.size() : String.join(",", g.getValue());
                out.println(String.format("%-40s %-22s %-11s %-12s %s%s", e.getKey(), v[0], v.length > 1 ? v[1] : "",
                        v.length > 2 ? v[2] : "", where, differs ? "  DIFFERS" : ""));
            }
        }
        out.println(byName.size() + " bundles on " + answered.size() + (answered.size() == 1 ? " replica" : " replicas")
                + (answered.size() == 1 ? "" : "; " + differing + (differing == 1 ? " differs" : " differ")
                + " between replicas"));
        out.flush();
        if (!failed.isEmpty()) {
            throw new IllegalStateException("bundle list: no answer from " + failed);
        }
        return 0;
    }

    /** One replica's step: what it printed. */
    private interface Step {
        String run(String address);
    }

    private int roll(String what, String replica, Step step) throws InterruptedException {
        List<String> cell = root.cellAddresses();
        List<String> order;
        if (replica != null) {
            order = List.of(checked(replica));
        } else {
            String master = root.locateMaster(cell).masterAddress();
            order = new ArrayList<>(cell.stream().filter(a -> !a.equals(master)).toList());
            order.addAll(cell.stream().filter(a -> a.equals(master)).toList());
        }
        out.println("bundle " + what + " on " + order.size() + (order.size() == 1 ? " replica" : " replicas, one at a time")
                + ": " + String.join(", ", order));
        out.flush();
        ReplicaHealth health = new ReplicaHealth(root.ctx().access(), root.security(), root.ctx().waiter());
        long t0 = System.nanoTime();
        List<String> done = new ArrayList<>();
        for (int k = 0; k < order.size(); k++) {
            String address = order.get(k);
            String stage = "the operation";
            try {
                String result = step.run(address).strip();
                out.println(address + ": " + result.replace("\n", "\n" + address + ": "));
                out.flush();
                stage = "the health check after it";
                ReplicaHealth.Healthy h = health.await(cell, address, wait, null);
                out.println(address + ": healthy: " + h);
                out.flush();
                done.add(address);
            } catch (RuntimeException e) {
                List<String> left = order.subList(k + 1, order.size());
                String msg = e instanceof ChubbyException ce ? ce.getMessage() : String.valueOf(e.getMessage());
                throw new IllegalStateException("bundle " + what.split(" ")[0] + " stopped at replica " + address
                        + ", " + stage + " failed: " + msg + "; done: " + (done.isEmpty() ? "none" : done)
                        + (stage.startsWith("the health") ? " and " + address + " (changed, not healthy)" : "")
                        + "; not done: " + (left.isEmpty() ? "none" : left));
            }
        }
        out.println("bundle " + what.split(" ")[0] + ": " + done.size() + (done.size() == 1 ? " replica" : " replicas")
                + " done in " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
        out.flush();
        return 0;
    }

    /** Runs one command line in a replica; its output, or an exception with what it printed. */
    private String admin(String address, String line) {
        Duration timeout = wait.compareTo(root.timeout()) > 0 ? wait : root.timeout();
        AdminResult r = root.ctx().access().admin(address, line, timeout, root.security());
        if (r.status() != 0) {
            String text = r.output().strip();
            throw new IllegalStateException(text.isEmpty() ? "status " + r.status() : text);
        }
        return r.output();
    }

    private static String checked(String address) {
        ClientOptions.parseAddress(address);
        return address;
    }

    private static byte[] random() {
        byte[] b = new byte[8];
        new SecureRandom().nextBytes(b);
        return b;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
