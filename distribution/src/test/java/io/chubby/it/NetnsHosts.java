package io.chubby.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * N "hosts" on this machine: one Linux network namespace per host, each with its own address on a
 * private /24 ({@code 10.213.S.10+i}), joined by a veth pair to a bridge in the root namespace that
 * holds {@code 10.213.S.1}, so this JVM reaches every host and the hosts reach each other. Every
 * namespace and link is named {@code chbt<pid>-...} (this JVM's pid); {@link #close} removes them,
 * also from a shutdown hook, and {@link #create} first removes leftovers of test JVMs that are gone.
 * Needs root and iproute2 ({@code ip}); without them {@link #create} fails saying so. Only addresses
 * in the namespaces made here are ever targeted.
 */
final class NetnsHosts implements AutoCloseable {
    private static final Pattern OURS = Pattern.compile("chbt(\\d+)-[\\w-]*");
    private static final long IP_TIMEOUT_S = 20;

    private final String prefix;
    private final int subnet;
    private final int hosts;
    private final Thread hook = new Thread(this::remove, "netns-cleanup");

    private NetnsHosts(int hosts, int subnet) {
        this.prefix = "chbt" + ProcessHandle.current().pid() + "-";
        this.hosts = hosts;
        this.subnet = subnet;
    }

    /** Makes {@code hosts} namespaces on the bridge; fails clearly when {@code ip netns add} is refused. */
    static NetnsHosts create(int hosts) {
        removeLeftovers();
        NetnsHosts n = new NetnsHosts(hosts, freeSubnet());
        Runtime.getRuntime().addShutdownHook(n.hook);
        try {
            n.build();
        } catch (RuntimeException | AssertionError e) {
            n.close();
            throw e;
        }
        return n;
    }

    /** Host {@code id}'s address (1-based). */
    String address(int id) {
        return "10.213." + subnet + "." + (10 + id);
    }

    /** The command prefix that runs a program on host {@code id}: {@code ip netns exec NS}. */
    List<String> on(int id) {
        return List.of("ip", "netns", "exec", namespace(id));
    }

    /** Cuts host {@code id} off: its link to the bridge goes down (both ends). */
    void cut(int id) {
        ip("link", "set", rootEnd(id), "down");
    }

    /** Joins host {@code id} again after {@link #cut}. */
    void heal(int id) {
        ip("link", "set", rootEnd(id), "up");
    }

    private String namespace(int id) {
        return prefix + "h" + id;
    }

    private String rootEnd(int id) {
        return prefix + "v" + id;
    }

    private String bridge() {
        return prefix + "br";
    }

    private void build() {
        String probe = prefix + "probe";
        Result r = run("ip", "netns", "add", probe);
        if (r.exit != 0) {
            throw new AssertionError("NetnsIT needs root and iproute2: 'ip netns add' was refused (exit " + r.exit
                    + "): " + r.out.strip());
        }
        ip("netns", "del", probe);
        ip("link", "add", bridge(), "type", "bridge");
        ip("addr", "add", "10.213." + subnet + ".1/24", "dev", bridge());
        ip("link", "set", bridge(), "up");
        for (int i = 1; i <= hosts; i++) {
            String ns = namespace(i);
            String peer = prefix + "p" + i;
            ip("netns", "add", ns);
            ip("link", "add", rootEnd(i), "type", "veth", "peer", "name", peer);
            ip("link", "set", peer, "netns", ns);
            ip("-n", ns, "link", "set", "lo", "up");
            ip("-n", ns, "addr", "add", address(i) + "/24", "dev", peer);
            ip("-n", ns, "link", "set", peer, "up");
            ip("link", "set", rootEnd(i), "master", bridge(), "up");
        }
    }

    /** Removes this JVM's namespaces and links (idempotent; errors ignored). */
    @Override
    public void close() {
        remove();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs remove() again, harmlessly
        }
    }

    private void remove() {
        for (int i = 1; i <= hosts; i++) {
            // both ends of the pair, explicitly: a deleted namespace may outlive its name for a while
            run("ip", "link", "del", rootEnd(i));
            run("ip", "netns", "del", namespace(i));
        }
        run("ip", "link", "del", bridge());
    }

    /** Namespaces and links named {@code chbt<pid>-} of a pid that is no longer alive. */
    private static void removeLeftovers() {
        for (String ns : names(run("ip", "netns", "list").out)) {
            run("ip", "netns", "del", ns);
        }
        for (String link : names(run("ip", "-o", "link", "show").out)) {
            run("ip", "link", "del", link);
        }
    }

    private static List<String> names(String listing) {
        List<String> out = new ArrayList<>();
        Matcher m = OURS.matcher(listing);
        while (m.find()) {
            long pid = Long.parseLong(m.group(1));
            if (ProcessHandle.of(pid).isEmpty() && !out.contains(m.group())) {
                out.add(m.group());
            }
        }
        return out;
    }

    /** A third octet S such that no address of this machine is in 10.213.S.0/24. */
    private static int freeSubnet() {
        String addrs = run("ip", "-o", "addr", "show").out;
        int start = (int) (ProcessHandle.current().pid() % 200) + 20;
        for (int k = 0; k < 200; k++) {
            int s = 20 + (start - 20 + k) % 200;
            if (!addrs.contains(" 10.213." + s + ".")) {
                return s;
            }
        }
        throw new IllegalStateException("no free 10.213.S.0/24 on this machine");
    }

    private static void ip(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Result r = run(cmd);
        if (r.exit != 0) {
            throw new AssertionError(String.join(" ", cmd) + " -> exit " + r.exit + ": " + r.out.strip());
        }
    }

    private record Result(int exit, String out) {
    }

    private static Result run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(IP_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", cmd) + " timed out");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, "cannot run " + String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
