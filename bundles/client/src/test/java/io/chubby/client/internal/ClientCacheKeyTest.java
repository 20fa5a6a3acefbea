package io.chubby.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.chubby.api.NodePath;
import io.chubby.api.Stat;
import io.chubby.client.Contents;
import org.junit.jupiter.api.Test;

/** The cache key must name a node exactly as NodePath does, or an invalidation could miss an entry. */
class ClientCacheKeyTest {
    @Test
    void keyAgreesWithNodePathForEveryValidSpelling() {
        for (String p : new String[] {"/ls/local", "/ls/local/", "/ls/local/a", "/ls/local/a/", "/ls/prod/a/b.c-d_e",
                "/ls/x/a/b/c/", "/ls/local/" + "z".repeat(255)}) {
            assertEquals(NodePath.parse(p).cellRelative(), ClientCache.key(p), p);
        }
        assertEquals(ClientCache.key("/ls/local/a/b"), ClientCache.key("/ls/othercell/a/b/"));
    }

    @Test
    void invalidationBySeveralSpellingsDropsTheEntry() {
        ClientCache cache = new ClientCache(true, () -> true);
        Stat st = new Stat(1, 1, 0, 1, 0, 1, false, false, "", "", "", 0, 0);
        cache.fillContents("/ls/local/a/", cache.generation(), new byte[] {7}, st);
        Contents hit = cache.contents("/ls/local/a", 0);
        assertNotNull(hit);
        assertEquals(7, hit.data()[0]);
        cache.invalidate("/ls/mycell/a");
        assertNull(cache.contents("/ls/local/a/", 0));
    }
}
