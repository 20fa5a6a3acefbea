package io.chubby.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.ConsensusStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text a scrape returns: names, types, labels and values of the replica's series. */
class ScraperTest {
    static final ConsensusStatus MASTER = new ConsensusStatus(2, "master", 2, 7, 120, 118, 99, 1, true);

    @Test
    void consensusAndCellNumbersAsPrometheusText() {
        Map<String, Number> cell = Map.of("sessions", 3L, "handles", 5L, "held_keepalives", 2L,
                "lease_ms", 12_000L, "lease_ceiling_ms", 13_000L, "cache_drops", 4L, "keepalives_per_s", 1.5,
                "held_acquires", 1L, "not_in_the_catalog", 9L);
        Reply r = new Scraper(() -> MASTER, () -> cell, List::of, false).scrape();
        String text = r.bodyText();

        assertEquals(200, r.status());
        assertTrue(r.contentType().startsWith("text/plain; version=0.0.4"), r.contentType());
        assertTrue(text.contains("# TYPE chubby_role gauge\n"), text);
        assertTrue(text.contains("chubby_role{role=\"master\"} 1.0\n"), text);
        assertTrue(text.contains("chubby_role{role=\"replica\"} 0.0\n"), text);
        assertTrue(text.contains("chubby_epoch 7.0\n"), text);
        assertTrue(text.contains("chubby_commit_index 120.0\n"), text);
        assertTrue(text.contains("chubby_applied_index 118.0\n"), text);
        assertTrue(text.contains("chubby_master_lease_valid 1.0\n"), text);
        assertTrue(text.contains("chubby_master_live 1.0\n"), text);
        assertTrue(text.contains("chubby_sessions 3.0\n"), text);
        assertTrue(text.contains("chubby_handles 5.0\n"), text);
        assertTrue(text.contains("chubby_held_keepalives 2.0\n"), text);
        assertTrue(text.contains("chubby_lock_waiters 1.0\n"), text);
        assertTrue(text.contains("chubby_lease_milliseconds 12000.0\n"), text);
        assertTrue(text.contains("chubby_lease_ceiling_milliseconds 13000.0\n"), text);
        assertTrue(text.contains("chubby_keepalives_per_second 1.5\n"), text);
        assertTrue(text.contains("# TYPE chubby_cache_drops_total counter\n"), text);
        assertTrue(text.contains("chubby_cache_drops_total 4.0\n"), text);
        assertFalse(text.contains("not_in_the_catalog"), text);
        assertFalse(text.contains("jvm_"), text);
    }

    @Test
    void withNeitherServiceOnlyNothingOfTheReplica() {
        String text = new Scraper(() -> null, Map::of, List::of, false).scrape().bodyText();
        assertEquals("", text);
    }

    @Test
    void anUnknownRoleIsItsOwnLabel() {
        ConsensusStatus odd = new ConsensusStatus(1, "learner", 2, 7, 1, 1, 0, 1, false);
        String text = new Scraper(() -> odd, Map::of, List::of, false).scrape().bodyText();
        assertTrue(text.contains("chubby_role{role=\"learner\"} 1.0\n"), text);
        assertTrue(text.contains("chubby_role{role=\"master\"} 0.0\n"), text);
    }

    @Test
    void jvmMetricsWhenAsked() {
        String text = new Scraper(() -> MASTER, Map::of, List::of, true).scrape().bodyText();
        assertTrue(text.contains("jvm_memory_used_bytes{area=\"heap\"}"), text);
        assertTrue(text.contains("jvm_threads_current"), text);
        assertTrue(text.contains("jvm_gc_collection_seconds"), text);
    }

    @Test
    void everyCatalogNameIsPrefixedAndUnique() {
        assertEquals(CellSeries.CATALOG.size(),
                CellSeries.CATALOG.stream().map(Series::name).distinct().count());
        CellSeries.CATALOG.forEach(s -> {
            assertTrue(s.name().startsWith("chubby_"), s.name());
            assertFalse(s.name().endsWith("_total"), s.name());
        });
    }
}
