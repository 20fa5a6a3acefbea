package io.chubby.mirror.internal;

import io.chubby.spi.MetricSource.Metric;
import io.chubby.spi.MetricSource.Sample;
import io.chubby.spi.MetricSource.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The mirrors' series for the metrics bundle, labelled {@code mirror} by name: the lag in source
 * events and in milliseconds (the oldest not yet applied), and the state (1 for the state a mirror
 * is in, 0 for the others, as {@code chubby_role}). Pure.
 */
final class MirrorSeries {
    private MirrorSeries() {
    }

    static List<Metric> of(List<MirrorStatus> mirrors) {
        List<Sample> entries = new ArrayList<>();
        List<Sample> millis = new ArrayList<>();
        List<Sample> states = new ArrayList<>();
        for (MirrorStatus m : mirrors) {
            entries.add(Sample.of(m.lagEntries(), "mirror", m.name()));
            millis.add(Sample.of(m.lagMillis(), "mirror", m.name()));
            for (MirrorState s : MirrorState.values()) {
                states.add(Sample.of(s == m.state() ? 1 : 0, "mirror", m.name(), "state",
                        s.name().toLowerCase(Locale.ROOT)));
            }
        }
        return List.of(
                new Metric("chubby_mirror_lag_entries", "Source events received and not yet applied to the target",
                        Type.GAUGE, entries),
                new Metric("chubby_mirror_lag_milliseconds", "Age of the oldest source event not yet applied (0: none)",
                        Type.GAUGE, millis),
                new Metric("chubby_mirror_state", "The mirror's state (1: the state it is in)", Type.GAUGE, states));
    }
}
