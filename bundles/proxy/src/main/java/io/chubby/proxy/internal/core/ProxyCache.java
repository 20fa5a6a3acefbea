package io.chubby.proxy.internal.core;

import com.google.protobuf.ByteString;
import io.chubby.protocol.StatMessage;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * <p>It also holds <em>absent</em> paths: nodes the master told the proxy's session do not exist
 * (an Open without create answered NO_SUCH_NODE, which registered that session for the absence:
 * the node's creation invalidates it). They follow the same rules (an invalidation or a flush drops
 * them, a fill read before either is refused) and are bounded: beyond {@code absentLimit} the
 * oldest is dropped. {@link #probe} remembers paths clients found missing (as many, oldest
 * forgotten first), so that only a path asked for twice is filled.
 *
 * <p>Pure; thread-safe (every method holds this object's monitor).
 */
public final class ProxyCache {
    /** A cached node: its instance, contents and metadata. */
    public record Entry(long instance, ByteString contents, StatMessage stat) {
    }

    /** The default bound on absent paths (and on remembered probes). */
    public static final int DEFAULT_ABSENT_LIMIT = 100_000;

    private final Map<String, Entry> entries = new HashMap<>();
    private final Map<String, String> absent;
    private final Map<String, Boolean> probes;
    private final Map<String, Long> generations = new HashMap<>();
    private long flushes;
    private long hits;
    private long misses;

    public ProxyCache() {
        this(DEFAULT_ABSENT_LIMIT);
    }

    /** @param absentLimit the most absent paths held (and probes remembered); beyond it the oldest goes */
    public ProxyCache(int absentLimit) {
        if (absentLimit < 1) {
            throw new IllegalArgumentException("an absent-path limit must be positive, was " + absentLimit);
        }
        this.absent = bounded(absentLimit);
        this.probes = bounded(absentLimit);
    }

    private static <V> Map<String, V> bounded(int limit) {
        return new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > limit;
            }
        };
    }

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

    /**
     * The master's NO_SUCH_NODE message for {@code path} if the proxy's session knows it absent
     * (registered at the master, not invalidated since); null otherwise.
     */
    public synchronized String absent(String path) {
        return absent.get(path);
    }

    /**
     * Records that {@code path} is absent (the master's {@code message}) unless the path was
     * invalidated, or the cache flushed, since {@code generation} was taken (before the Open was sent).
     */
    public synchronized boolean fillAbsent(String path, long generation, String message) {
        if (generation(path) != generation) {
            return false;
        }
        absent.put(path, message);
        return true;
    }

    /** A client's Open found {@code path} missing: the next one is worth a fill. */
    public synchronized void probe(String path) {
        probes.put(path, Boolean.TRUE);
    }

    /** Whether a client found {@code path} missing, and nobody found it present since. */
    public synchronized boolean probed(String path) {
        return probes.containsKey(path);
    }

    /** The node at {@code path} was found to exist: its Opens are not worth a fill any more. */
    public synchronized void unprobe(String path) {
        probes.remove(path);
    }

    /** The master invalidated {@code path} for the proxy's session: the entry goes (then it may be acknowledged). */
    public synchronized void invalidate(String path) {
        entries.remove(path);
        absent.remove(path);
        generations.merge(path, 1L, Long::sum);
    }

    /** The proxy's session flushed (failover, or its claims dropped, or a new session): nothing is cached. */
    public synchronized void flush() {
        entries.clear();
        absent.clear();
        flushes++;
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized int absentSize() {
        return absent.size();
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }
}
