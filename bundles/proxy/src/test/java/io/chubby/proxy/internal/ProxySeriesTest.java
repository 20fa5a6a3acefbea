package io.chubby.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.chubby.protocol.StatusReply;
import io.chubby.spi.MetricSource.Metric;
import io.chubby.spi.MetricSource.Type;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Issue 22: the proxy's Status numbers as the series its MetricSource gives the metrics bundle. */
class ProxySeriesTest {

    @Test
    void clientsSessionsAndTheCachesHitRatio() {
        StatusReply s = StatusReply.newBuilder().putMetrics("clients", "4").putMetrics("client_sessions", "3")
                .putMetrics("cache_hits", "30").putMetrics("cache_misses", "10").putMetrics("upstream_master", "h:1")
                .putMetrics("acl_view", "off").build();
        Map<String, Metric> m = ProxySeries.of(s).stream().collect(Collectors.toMap(Metric::name, Function.identity()));

        assertEquals(4.0, m.get("chubby_proxy_clients").samples().get(0).value());
        assertEquals(3.0, m.get("chubby_proxy_client_sessions").samples().get(0).value());
        assertEquals(Type.COUNTER, m.get("chubby_proxy_cache_hits").type());
        assertEquals(0.75, m.get("chubby_proxy_cache_hit_ratio").samples().get(0).value());
        assertFalse(m.containsKey("chubby_proxy_cache_bytes"), "not in the Status: no series");
        assertEquals(5, m.size(), m.keySet().toString());
    }

    @Test
    void noReadsYetIsARatioOfZero() {
        StatusReply s = StatusReply.newBuilder().putMetrics("cache_hits", "0").putMetrics("cache_misses", "0").build();
        List<Metric> m = ProxySeries.of(s);
        assertEquals(0.0, m.get(m.size() - 1).samples().get(0).value());
    }
}
