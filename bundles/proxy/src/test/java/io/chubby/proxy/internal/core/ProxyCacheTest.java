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
}
