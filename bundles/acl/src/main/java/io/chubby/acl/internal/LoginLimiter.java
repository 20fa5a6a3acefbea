package io.chubby.acl.internal;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Failed logins per remote host ({@code acl.login.failures.per.minute}): once a host has failed
 * that many times within a minute (counted from its first failure in that minute), its further
 * attempts are refused without checking the password until the minute has passed. A limit of 0
 * disables the limit. Hosts are told apart by address without port (every connection has a new
 * port). The map forgets hosts whose minute has passed once it holds many. Pure apart from the
 * injected clock.
 *
 * <p>Threads: any (synchronized).
 */
final class LoginLimiter {
    static final long WINDOW_NANOS = 60_000_000_000L;
    private static final int PRUNE_AT = 10_000;

    private static final class Window {
        final long start;
        int failures;
        boolean refusalLogged;

        Window(long start) {
            this.start = start;
        }
    }

    private final int limit;
    private final LongSupplier nanos;
    private final Map<String, Window> byHost = new HashMap<>();

    LoginLimiter(int limit, LongSupplier nanos) {
        this.limit = limit;
        this.nanos = nanos;
    }

    /**
     * Milliseconds until {@code host} may try again, or 0 if it may try now. The first refusal of
     * a window sets {@code firstRefusal} (callers log that one and not the rest).
     */
    synchronized long refusedForMillis(String host, boolean[] firstRefusal) {
        Window w = current(host);
        if (limit <= 0 || w == null || w.failures < limit) {
            return 0;
        }
        firstRefusal[0] = !w.refusalLogged;
        w.refusalLogged = true;
        return Math.max(1, (w.start + WINDOW_NANOS - nanos.getAsLong()) / 1_000_000);
    }

    /** Records a failed login from {@code host}; returns its failures in the current minute. */
    synchronized int failed(String host) {
        Window w = current(host);
        if (w == null) {
            if (byHost.size() >= PRUNE_AT) {
                prune();
            }
            w = new Window(nanos.getAsLong());
            byHost.put(host, w);
        }
        return ++w.failures;
    }

    synchronized int hostsTracked() {
        return byHost.size();
    }

    private Window current(String host) {
        Window w = byHost.get(host);
        if (w != null && nanos.getAsLong() - w.start >= WINDOW_NANOS) {
            byHost.remove(host);
            return null;
        }
        return w;
    }

    private void prune() {
        long now = nanos.getAsLong();
        for (Iterator<Window> it = byHost.values().iterator(); it.hasNext(); ) {
            if (now - it.next().start >= WINDOW_NANOS) {
                it.remove();
            }
        }
    }

    /** The host part of a remote address: {@code 10.0.0.1:5000} -> {@code 10.0.0.1}, {@code [::1]:5000} -> {@code ::1}. */
    static String hostOf(String remoteAddress) {
        if (remoteAddress == null || remoteAddress.isEmpty()) {
            return "unknown";
        }
        String a = remoteAddress.startsWith("/") ? remoteAddress.substring(1) : remoteAddress;
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            return end > 0 ? a.substring(1, end) : a;
        }
        int colon = a.indexOf(':');
        return colon > 0 && colon == a.lastIndexOf(':') ? a.substring(0, colon) : a;
    }
}
