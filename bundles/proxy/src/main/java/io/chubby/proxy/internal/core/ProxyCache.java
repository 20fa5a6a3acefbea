package io.chubby.proxy.internal.core;

import com.google.protobuf.ByteString;
import io.chubby.protocol.StatMessage;
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
 * <p>Bounded: the entries' contents and metadata take at most {@code maxBytes} (least recently
 * served dropped first; dropping one is always safe: the next read is a miss, read upstream
 * again, and the master's invalidations for it are acknowledged as for any path). The record of
 * invalidated paths that refuses late fills is bounded too: each invalidation takes a new number
 * from one sequence, and a path whose record is dropped (the oldest, beyond {@code absentLimit}
 * records) falls back to a floor at least as high as every dropped number, so a fill read before
 * any invalidation of its path is still refused.
 *
 * <p>Pure; thread-safe (every method holds this object's monitor).
 */
public final class ProxyCache {
    /** A cached node: its instance, contents and metadata. */
    public record Entry(long instance, ByteString contents, StatMessage stat) {
    }

    /** The default bound on absent paths (and on remembered probes and invalidation records). */
    public static final int DEFAULT_ABSENT_LIMIT = 100_000;
    /** The default bound on the bytes of cached entries: 64 MiB. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    /** Bytes counted per entry besides its contents, metadata and path (map entry, record, buffers). */
    static final int ENTRY_OVERHEAD = 160;

    /** In access order: the eldest is the least recently served. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final long maxBytes;
    private long bytes;
    private long evictions;
    private final Map<String, String> absent;
    private final Map<String, Boolean> probes;
    /** Path -> the sequence number of its last invalidation; bounded, dropped records raise {@link #floor}. */
    private final Map<String, Long> generations;
    private long sequence;
    /** The generation of a path without a record: at least every number a dropped record or a flush held. */
    private long floor;
    private long hits;
    private long misses;

    public ProxyCache() {
        this(DEFAULT_ABSENT_LIMIT, DEFAULT_MAX_BYTES);
    }

    /** @param absentLimit the most absent paths held (and probes remembered); beyond it the oldest goes */
    public ProxyCache(int absentLimit) {
        this(absentLimit, DEFAULT_MAX_BYTES);
    }

    /**
     * @param absentLimit the most absent paths held (and probes and invalidation records remembered)
     * @param maxBytes    the most bytes the cached entries may take (contents, metadata, path, overhead)
     */
    public ProxyCache(int absentLimit, long maxBytes) {
        if (absentLimit < 1) {
            throw new IllegalArgumentException("an absent-path limit must be positive, was " + absentLimit);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("a cache size must be positive, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.absent = bounded(absentLimit);
        this.probes = bounded(absentLimit);
        this.generations = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                if (size() <= absentLimit) {
                    return false;
                }
                floor = Math.max(floor, eldest.getValue());
                return true;
            }
        };
    }

    /** What an entry counts against {@code maxBytes}. */
    static long weight(String path, Entry e) {
        return ENTRY_OVERHEAD + 2L * path.length() + e.contents().size() + e.stat().getSerializedSize();
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
        Long g = generations.get(path);
        return g != null ? g : floor;
    }

    /**
     * Fills the entry unless the path was invalidated, or the cache flushed, since {@code generation}
     * was taken, or the entry alone is larger than the cache; least recently served entries make room.
     */
    public synchronized boolean fill(String path, long generation, Entry e) {
        long w = weight(path, e);
        if (generation(path) != generation || w > maxBytes) {
            return false;
        }
        Entry old = entries.put(path, e);
        if (old != null) {
            bytes -= weight(path, old);
        }
        bytes += w;
        for (var it = entries.entrySet().iterator(); bytes > maxBytes && it.hasNext(); ) {
            Map.Entry<String, Entry> eldest = it.next();
            if (!eldest.getKey().equals(path)) {
                bytes -= weight(eldest.getKey(), eldest.getValue());
                it.remove();
                evictions++;
            }
        }
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
        drop(path);
        absent.remove(path);
        generations.remove(path); // put again below: the newest record, the last to be dropped
        generations.put(path, ++sequence);
    }

    private void drop(String path) {
        Entry old = entries.remove(path);
        if (old != null) {
            bytes -= weight(path, old);
        }
    }

    /** The proxy's session flushed (failover, or its claims dropped, or a new session): nothing is cached. */
    public synchronized void flush() {
        entries.clear();
        bytes = 0;
        absent.clear();
        generations.clear();
        floor = ++sequence;
    }

    public synchronized int size() {
        return entries.size();
    }

    /** What the cached entries count against the bound ({@link #weight}). */
    public synchronized long bytes() {
        return bytes;
    }

    /** Entries dropped to make room. */
    public synchronized long evictions() {
        return evictions;
    }

    public long maxBytes() {
        return maxBytes;
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
