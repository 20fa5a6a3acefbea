package io.chubby.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.config.EscapingScheme;
import java.io.ByteArrayOutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import org.junit.jupiter.api.Test;

/**
 * The allocation counter that replaces the Prometheus client's: same numbers, and its listener on
 * the garbage collectors goes when it is closed (the client's stayed, keeping every uninstalled
 * build of the bundle alive).
 */
class AllocatedBytesTest {

    @Test
    void countsWhatEachPoolGainedBetweenAndDuringCollections() throws Exception {
        AllocatedBytes a = new AllocatedBytes();
        a.pool("eden", 100, 0);   // 100 allocated since the start
        a.pool("eden", 150, 0);   // 150 more since the last collection emptied it
        a.pool("old", 10, 30);    // 10 before the first collection, 20 promoted during it
        a.pool("old", 25, 30);    // shrank since: nothing new; 5 promoted
        a.pool("survivor", 0, 0); // nothing: no series for it
        String text = text(a);
        assertTrue(text.contains("# TYPE jvm_memory_pool_allocated_bytes_total counter\n"), text);
        assertTrue(text.contains("jvm_memory_pool_allocated_bytes_total{pool=\"eden\"} 250.0\n"), text);
        assertTrue(text.contains("jvm_memory_pool_allocated_bytes_total{pool=\"old\"} 35.0\n"), text);
        assertFalse(text.contains("survivor"), text);
        assertEquals("", text(new AllocatedBytes()), "no collection yet: no series");
    }

    @Test
    void closingRemovesTheListenerFromEveryCollector() {
        AllocatedBytes a = AllocatedBytes.start();
        assertNotNull(a, "this JVM has com.sun.management");
        List<NotificationEmitter> emitters = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(NotificationEmitter.class::isInstance).map(NotificationEmitter.class::cast).toList();
        assertTrue(!emitters.isEmpty() && a.listening() == emitters.size(), "listening to " + a.listening());
        a.close();
        assertEquals(0, a.listening());
        for (NotificationEmitter e : emitters) {
            assertThrows(ListenerNotFoundException.class, () -> e.removeNotificationListener(a),
                    ((GarbageCollectorMXBean) e).getName() + " still holds the listener");
        }
        a.close(); // twice is harmless
    }

    @Test
    void theScraperCountsAllocationsAndLetsGoWhenClosed() throws Exception {
        Scraper s = new Scraper(() -> null, Map::of, List::of, true);
        assertTrue(s.listening());
        String text = "";
        long deadline = System.currentTimeMillis() + 10_000;
        while (!text.contains("jvm_memory_pool_allocated_bytes_total{pool=") && System.currentTimeMillis() < deadline) {
            byte[][] garbage = new byte[64][];
            for (int i = 0; i < garbage.length; i++) {
                garbage[i] = new byte[64 * 1024];
            }
            System.gc();
            Thread.sleep(50);
            text = s.scrape().bodyText();
        }
        assertTrue(text.contains("jvm_memory_pool_allocated_bytes_total{pool="), "after a collection:\n" + text);
        for (String series : List.of("jvm_memory_used_bytes{area=\"heap\"}", "jvm_threads_current ",
                "jvm_gc_collection_seconds_count", "jvm_classes_currently_loaded ", "jvm_runtime_info")) {
            assertTrue(text.contains(series), "lacks " + series + ":\n" + text);
        }
        s.close();
        assertFalse(s.listening());
    }

    private static String text(AllocatedBytes a) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, a.collect(), EscapingScheme.UNDERSCORE_ESCAPING);
        return out.toString(StandardCharsets.UTF_8);
    }
}
