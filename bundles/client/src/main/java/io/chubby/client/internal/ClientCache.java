package io.chubby.client.internal;

import io.chubby.api.Stat;
import io.chubby.client.Contents;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * The consistent client cache (SPEC 7): file contents with their metadata, and the absence of
 * nodes, keyed by cell-relative path. Entries are dropped on invalidation, never updated; the
 * whole cache is flushed on jeopardy, expiry and a master failover, and is not consulted unless
 * the session's local lease is valid ({@code usable}).
 *
 * <p>A fill races with invalidations: a read sent before an invalidation arrived may be answered
 * with the old value after it. So every fill names the {@link #generation()} observed before its
 * request was sent and is dropped if any invalidation or flush happened since.
 *
 * <p>Thread-safe: guarded by this object's monitor (hits take it briefly; no I/O under it).
 */
final class ClientCache {
    /** A cached node: contents + stat, or known absence ({@code stat == null}). */
    private record Entry(byte[] data, Stat stat) {
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private final BooleanSupplier usable;
    private final boolean enabled;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private long generation;

    ClientCache(boolean enabled, BooleanSupplier usable) {
        this.enabled = enabled;
        this.usable = usable;
    }

    /**
     * The key of an absolute path: its cell-relative part (a client talks to one cell), e.g.
     * "/ls/local/a/b" and "/ls/prod/a/b/" both give "/a/b". This is on the cached-read hot path, so
     * it only cuts the string instead of parsing and validating it: a malformed path yields a key
     * that nothing was ever filled under (fills follow successful server reads), so it just misses.
     */
    static String key(String path) {
        if (!path.startsWith("/ls/")) {
            return path;
        }
        int slash = path.indexOf('/', 4);
        if (slash < 0 || slash == path.length() - 1) {
            return "/";
        }
        int end = path.length();
        while (end > slash + 1 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(slash, end);
    }

    /** Observe before sending a read whose answer may be cached. */
    synchronized long generation() {
        return generation;
    }

    /** Cached contents of the node at {@code path}, if of {@code instance} (0: any); else null. */
    Contents contents(String path, long instance) {
        Entry e = hit(path);
        if (e == null || e.stat == null || (instance != 0 && e.stat.instance() != instance)) {
            misses.increment();
            return null;
        }
        hits.increment();
        return new Contents(e.data, e.stat); // Contents copies the bytes itself
    }

    /** Cached metadata, as {@link #contents}. */
    Stat stat(String path, long instance) {
        Entry e = hit(path);
        if (e == null || e.stat == null || (instance != 0 && e.stat.instance() != instance)) {
            misses.increment();
            return null;
        }
        hits.increment();
        return e.stat;
    }

    /** Whether the node is known not to exist. */
    boolean knownAbsent(String path) {
        Entry e = hit(path);
        boolean absent = e != null && e.stat == null;
        if (absent) {
            hits.increment();
        }
        return absent;
    }

    private Entry hit(String path) {
        if (!enabled || !usable.getAsBoolean()) {
            return null;
        }
        synchronized (this) {
            return entries.get(key(path));
        }
    }

    void fillContents(String path, long sinceGeneration, byte[] data, Stat stat) {
        fill(path, sinceGeneration, new Entry(data.clone(), stat));
    }

    void fillAbsent(String path, long sinceGeneration) {
        fill(path, sinceGeneration, new Entry(null, null));
    }

    private void fill(String path, long since, Entry e) {
        if (!enabled || !usable.getAsBoolean()) {
            return;
        }
        synchronized (this) {
            if (generation == since) {
                entries.put(key(path), e);
            }
        }
    }

    /** An invalidation from the master, or our own write's answer: drop the entry, void fills in flight. */
    synchronized void invalidate(String path) {
        entries.remove(key(path));
        generation++;
    }

    /** Jeopardy, expiry, failover: nothing cached can be trusted any more. */
    synchronized void flush() {
        entries.clear();
        generation++;
    }

    synchronized int size() {
        return entries.size();
    }

    long hits() {
        return hits.sum();
    }

    long misses() {
        return misses.sum();
    }
}
