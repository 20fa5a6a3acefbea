package io.chubby.proxy.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.protocol.StatMessage;
import org.junit.jupiter.api.Test;

/** The proxy's shared cache: served only for the node instance cached; a fill that lost a race is dropped. */
class ProxyCacheTest {
    private final ProxyCache cache = new ProxyCache();

    private static ProxyCache.Entry entry(long instance, String contents) {
        return new ProxyCache.Entry(instance, ByteString.copyFromUtf8(contents),
                StatMessage.newBuilder().setInstance(instance).build());
    }

    @Test
    void servedOnlyForTheNodeInstanceItHoldsAndCounted() {
        assertNull(cache.serve("/f", 7), "empty");
        assertTrue(cache.fill("/f", cache.generation("/f"), entry(7, "v1")));
        assertNotNull(cache.serveFilled("/f", 7), "the filling reader: counted as its miss");
        assertEquals("v1", cache.serve("/f", 7).contents().toStringUtf8());
        assertNull(cache.serve("/f", 8), "another instance of the node (deleted and created again)");
        assertEquals(1, cache.hits());
        assertEquals(2, cache.misses());
        assertEquals(1, cache.size());
    }

    @Test
    void anInvalidationDropsTheEntryAndAFillReadBeforeItOrBeforeAFlushIsRefused() {
        cache.fill("/f", cache.generation("/f"), entry(7, "v1"));
        long g = cache.generation("/f");
        cache.invalidate("/f");
        assertNull(cache.serve("/f", 7), "gone at once");
        assertFalse(cache.fill("/f", g, entry(7, "old")), "read before the write the invalidation announces");
        assertTrue(cache.fill("/f", cache.generation("/f"), entry(7, "v2")));

        long g2 = cache.generation("/other");
        cache.flush();
        assertEquals(0, cache.size());
        assertFalse(cache.fill("/other", g2, entry(9, "from before the failover")));
        assertTrue(cache.fill("/other", cache.generation("/other"), entry(9, "new")));
    }

    @Test
    void anAbsenceIsHeldUntilItsPathIsInvalidatedOrTheCacheFlushedAndALateFillIsRefused() {
        assertNull(cache.absent("/none"));
        long g = cache.generation("/none");
        assertTrue(cache.fillAbsent("/none", g, "/ls/local/none does not exist"));
        assertEquals("/ls/local/none does not exist", cache.absent("/none"));
        assertEquals(1, cache.absentSize());

        long before = cache.generation("/none");
        cache.invalidate("/none"); // created: the master invalidated the proxy's session
        assertNull(cache.absent("/none"), "gone before the invalidation is acknowledged");
        assertFalse(cache.fillAbsent("/none", before, "read before the creation"), "the fill lost the race");
        assertNull(cache.absent("/none"));

        assertTrue(cache.fillAbsent("/x", cache.generation("/x"), "x"));
        long gx = cache.generation("/y");
        cache.flush();
        assertNull(cache.absent("/x"), "a flush drops absences too");
        assertFalse(cache.fillAbsent("/y", gx, "from before the failover"));
        assertTrue(cache.fillAbsent("/y", cache.generation("/y"), "y"));
        assertEquals(1, cache.absentSize());
    }

    @Test
    void absentPathsAreBoundedTheOldestDroppedFirst() {
        ProxyCache small = new ProxyCache(3);
        for (String p : new String[] {"/a", "/b", "/c", "/d"}) {
            assertTrue(small.fillAbsent(p, small.generation(p), p + " does not exist"));
        }
        assertEquals(3, small.absentSize());
        assertNull(small.absent("/a"), "the oldest went");
        assertEquals("/d does not exist", small.absent("/d"));
        assertEquals("/b does not exist", small.absent("/b"));
        for (String p : new String[] {"/p1", "/p2", "/p3", "/p4"}) {
            small.probe(p);
        }
        assertFalse(small.probed("/p1"), "probes are bounded the same way");
        assertTrue(small.probed("/p4"));
    }

    @Test
    void aProbedPathIsForgottenWhenTheNodeIsFoundToExist() {
        assertFalse(cache.probed("/n"), "never asked for");
        cache.probe("/n");
        assertTrue(cache.probed("/n"));
        cache.unprobe("/n");
        assertFalse(cache.probed("/n"));
    }

    @Test
    void entriesAreBoundedInBytesTheLeastRecentlyServedDroppedFirst() {
        ProxyCache.Entry e = entry(1, "x".repeat(1000));
        long w = ProxyCache.weight("/a", e);
        ProxyCache small = new ProxyCache(10, 3 * w);
        for (String p : new String[] {"/a", "/b", "/c"}) {
            assertTrue(small.fill(p, small.generation(p), entry(1, "x".repeat(1000))));
        }
        assertEquals(3 * w, small.bytes());
        assertNotNull(small.serve("/a", 1), "/a served: /b is now the least recently served");
        assertTrue(small.fill("/d", small.generation("/d"), entry(1, "x".repeat(1000))));
        assertEquals(3, small.size());
        assertNull(small.serve("/b", 1), "dropped to make room");
        assertNotNull(small.serve("/a", 1));
        assertEquals(1, small.evictions());
        assertEquals(3 * w, small.bytes());
        assertFalse(small.fill("/big", small.generation("/big"), entry(1, "x".repeat(4000))),
                "an entry larger than the whole cache is not kept");
        small.invalidate("/a");
        assertEquals(2 * w, small.bytes(), "an invalidation gives its bytes back");
        small.flush();
        assertEquals(0, small.bytes());
    }

    @Test
    void aFillReadBeforeAnInvalidationIsRefusedEvenAfterTheInvalidationsRecordWasDropped() {
        ProxyCache small = new ProxyCache(2, 1 << 20);
        long g = small.generation("/f");
        small.invalidate("/f");
        small.invalidate("/g");
        small.invalidate("/h"); // three records, two kept: the record of /f is dropped
        assertFalse(small.fill("/f", g, entry(1, "read before the invalidation")));
        assertFalse(small.fillAbsent("/f", g, "read before the invalidation"));
        assertTrue(small.fill("/f", small.generation("/f"), entry(1, "read after")));
        long gi = small.generation("/i");
        assertTrue(small.fill("/i", gi, entry(1, "a path never invalidated")));
    }
}
