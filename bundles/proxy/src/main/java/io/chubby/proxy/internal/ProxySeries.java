package io.chubby.proxy.internal;

import io.chubby.protocol.StatusReply;
import io.chubby.spi.MetricSource.Metric;
import io.chubby.spi.MetricSource.Sample;
import io.chubby.spi.MetricSource.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The proxy's Status numbers as series for the metrics bundle: clients, sessions, the read cache's
 * hits and misses (and the hit ratio since the proxy started), refusals. A key missing or not a
 * number gives no series. Pure.
 */
final class ProxySeries {
    private record Entry(String key, String name, Type type, String help) {
    }

    private static final List<Entry> CATALOG = List.of(
            new Entry("clients", "chubby_proxy_clients", Type.GAUGE, "Client connections to the proxy"),
            new Entry("client_sessions", "chubby_proxy_client_sessions", Type.GAUGE, "Client sessions the proxy keeps"),
            new Entry("held_keepalives", "chubby_proxy_held_keepalives", Type.GAUGE, "Client KeepAlives held"),
            new Entry("sessions_refused", "chubby_proxy_sessions_refused", Type.COUNTER,
                    "CreateSession refused over proxy.max.sessions"),
            new Entry("cache_entries", "chubby_proxy_cache_entries", Type.GAUGE, "Nodes in the read cache"),
            new Entry("cache_bytes", "chubby_proxy_cache_bytes", Type.GAUGE, "Bytes of the read cache"),
            new Entry("cache_max_bytes", "chubby_proxy_cache_max_bytes", Type.GAUGE, "Read cache bound"),
            new Entry("cache_evictions", "chubby_proxy_cache_evictions", Type.COUNTER, "Read cache entries evicted"),
            new Entry("cache_hits", "chubby_proxy_cache_hits", Type.COUNTER, "Reads served from the cache"),
            new Entry("cache_misses", "chubby_proxy_cache_misses", Type.COUNTER, "Cacheable reads read upstream"),
            new Entry("reads_passed", "chubby_proxy_reads_passed", Type.COUNTER, "Reads passed upstream uncached"));

    private ProxySeries() {
    }

    static List<Metric> of(StatusReply status) {
        Map<String, String> m = status.getMetricsMap();
        List<Metric> out = new ArrayList<>();
        for (Entry e : CATALOG) {
            Double v = number(m.get(e.key()));
            if (v != null) {
                out.add(new Metric(e.name(), e.help(), e.type(), List.of(Sample.of(v))));
            }
        }
        Double hits = number(m.get("cache_hits"));
        Double misses = number(m.get("cache_misses"));
        if (hits != null && misses != null) {
            out.add(Metric.gauge("chubby_proxy_cache_hit_ratio", "Cache hits over cacheable reads since the proxy "
                    + "started (0 before any; per interval: rate of hits over rate of hits and misses)",
                    hits + misses == 0 ? 0 : hits / (hits + misses)));
        }
        return out;
    }

    private static Double number(String text) {
        if (text == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(text);
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
