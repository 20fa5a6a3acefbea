package io.chubby.proxy.internal.core;

import com.google.protobuf.ByteString;
import io.chubby.protocol.StatMessage;
import java.util.HashMap;
import java.util.Map;

/**
 * The proxy's shared read cache (bundles/proxy README, "Reads and the cache"): file contents and
 * metadata read upstream once with the proxy's own session (which the master then counts as a
 * cacher, and invalidates like any), served to any number of client sessions. Answers served from
 * here tell the client {@code cacheable=false}, so the proxy's session is the only holder of what
 * it serves: an invalidation drops the entry and may be acknowledged at once, and a client that
 * moves to another proxy or to the cell carries no copy that nobody would invalidate.
 *
 * <p>A fill that was read before an invalidation (or a flush) of its path is refused: the caller
 * takes {@link #generation} before the upstream read and hands it to {@link #fill}.
 *
 * <p>Pure; thread-safe (every method holds this object's monitor).
 */
public final class ProxyCache {
    /** A cached node: its instance, contents and metadata. */
    public record Entry(long instance, ByteString contents, StatMessage stat) {
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private final Map<String, Long> generations = new HashMap<>();
    private long flushes;
    private long hits;
    private long misses;

    /** The entry for {@code path} if it holds node {@code instance}; counted as a hit or a miss. */
    public synchronized Entry serve(String path, long instance) {
        Entry e = serveFilled(path, instance);
        if (e == null) {
            misses++;
        } else {
            hits++;
        }
        return e;
    }

    /** As {@link #serve}, for the reader whose miss filled the entry (counted as that miss). */
    public synchronized Entry serveFilled(String path, long instance) {
        Entry e = entries.get(path);
        return e != null && e.instance() == instance ? e : null;
    }

    /** The path's generation, taken before a fill is read: {@link #fill} succeeds only if unchanged. */
    public synchronized long generation(String path) {
        return (flushes << 40) + generations.getOrDefault(path, 0L);
    }

    /** Fills the entry unless the path was invalidated, or the cache flushed, since {@code generation} was taken. */
    public synchronized boolean fill(String path, long generation, Entry e) {
        if (generation(path) != generation) {
            return false;
        }
        entries.put(path, e);
        return true;
    }

    /** The master invalidated {@code path} for the proxy's session: the entry goes (then it may be acknowledged). */
    public synchronized void invalidate(String path) {
        entries.remove(path);
        generations.merge(path, 1L, Long::sum);
    }

    /** The proxy's session flushed (failover, or its claims dropped, or a new session): nothing is cached. */
    public synchronized void flush() {
        entries.clear();
        flushes++;
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }
}
