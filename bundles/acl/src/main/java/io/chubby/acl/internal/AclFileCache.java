package io.chubby.acl.internal;

import io.chubby.api.Stat;
import io.chubby.spi.AclFileVersion;
import io.chubby.spi.NamespaceView;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Parsed ACL files, cached by (path, instance, content generation). Every read asks the
 * {@link NamespaceView} for the file's current version first and uses a cached parse only when it
 * is of exactly that version, so a decision never rests on contents older than the applied state
 * it reads, whether or not the change feed has caught up. The feed ({@link #evict}) only frees
 * memory early; a gap in it ({@link #clear}) drops everything.
 *
 * <p>Threads: any thread (decisions run on transport I/O threads, eviction on the feed's thread).
 */
final class AclFileCache {
    /** How often a read is retried when the file changes between its stat and its contents. */
    private static final int ATTEMPTS = 16;

    /** One ACL file as a decision saw it: its version and, when it exists, the names it lists. */
    record Entry(AclFileVersion version, Set<String> names) {
        boolean exists() {
            return version.exists();
        }
    }

    private final ConcurrentHashMap<String, Entry> byPath = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    /**
     * The ACL file at the cell-relative {@code path} as the namespace holds it now: absent
     * ({@link AclFileVersion#absent}) when there is no node there. A directory lists no names.
     */
    Entry read(NamespaceView view, String path) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Stat before = view.stat(path);
            if (before == null) {
                return new Entry(AclFileVersion.absent(path), Set.of());
            }
            Entry cached = byPath.get(path);
            if (cached != null && sameVersion(cached.version(), before)) {
                hits.incrementAndGet();
                return cached;
            }
            byte[] contents = before.directory() ? new byte[0] : view.contents(path);
            Stat after = view.stat(path);
            if (contents != null && after != null && after.instance() == before.instance()
                    && after.contentGeneration() == before.contentGeneration()) {
                misses.incrementAndGet();
                Entry e = new Entry(new AclFileVersion(path, before.instance(), before.contentGeneration()),
                        AclFile.parse(contents));
                byPath.merge(path, e, AclFileCache::newer);
                return e;
            }
            // written (or deleted) between the stat and the read: look again
        }
        throw new IllegalStateException("ACL file " + path + " changed " + ATTEMPTS + " times while it was read");
    }

    private static boolean sameVersion(AclFileVersion v, Stat s) {
        return v.instance() == s.instance() && v.generation() == s.contentGeneration();
    }

    private static Entry newer(Entry a, Entry b) {
        AclFileVersion x = a.version();
        AclFileVersion y = b.version();
        if (x.instance() != y.instance()) {
            return x.instance() > y.instance() ? a : b;
        }
        return x.generation() >= y.generation() ? a : b;
    }

    /** Forgets the parse of {@code path} (it changed or went away). */
    void evict(String path) {
        byPath.remove(path);
    }

    /** Forgets every parse. */
    void clear() {
        byPath.clear();
    }

    int size() {
        return byPath.size();
    }

    long hits() {
        return hits.get();
    }

    long misses() {
        return misses.get();
    }
}
