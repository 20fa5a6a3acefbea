package io.chubby.mirror.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.mirror.internal.plan.Subtrees;
import io.chubby.spi.MetricSource.Metric;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Issue 22: the mirrors' lag and state as the registry's MetricSource gives them. */
class MirrorSeriesTest {

    @Test
    void lagAndStatePerMirror() {
        MirrorRegistry registry = new MirrorRegistry();
        MirrorStatus a = new MirrorStatus("a", "src:/ls/s/a", "/ls/t/a", MirrorState.STREAMING, 3, 120, 0, "", "");
        MirrorStatus b = new MirrorStatus("b", "src:/ls/s/b", "/ls/t/b", MirrorState.CUT_OFF, 0, 0, 0, "", "");
        registry.register(this, "a", Subtrees.parse("/ls/s/a", "/ls/t/a"), List.of("src:1"), Set.of("own:1"), () -> a, () -> { });
        registry.register(this, "b", Subtrees.parse("/ls/s/b", "/ls/t/b"), List.of("src:1"), Set.of("own:1"), () -> b, () -> { });

        Map<String, Double> values = new TreeMap<>();
        for (Metric m : registry.metrics()) {
            m.samples().forEach(s -> values.put(m.name() + s.labels().values(), s.value()));
        }
        assertEquals(3.0, values.get("chubby_mirror_lag_entries[a]"));
        assertEquals(120.0, values.get("chubby_mirror_lag_milliseconds[a]"));
        assertEquals(0.0, values.get("chubby_mirror_lag_entries[b]"));
        assertEquals(1.0, values.get("chubby_mirror_state[a, streaming]"));
        assertEquals(0.0, values.get("chubby_mirror_state[a, cut_off]"));
        assertEquals(1.0, values.get("chubby_mirror_state[b, cut_off]"));
        assertEquals(2 * (2 + MirrorState.values().length), values.size());

        registry.unregister(this, "a");
        registry.unregister(this, "b");
        assertEquals(List.of(List.of(), List.of(), List.of()),
                registry.metrics().stream().map(Metric::samples).toList(), "no mirror, no samples");
    }
}
