package io.chubby.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.spi.MetricSource.Buckets;
import io.chubby.spi.MetricSource.Metric;
import io.chubby.spi.MetricSource.Sample;
import io.chubby.spi.MetricSource.Type;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plain-Java series a bundle reports, and the histogram it records them with. */
class MetricSourceTest {

    @Test
    void histogramCountsEachObservationInTheFirstBucketItFits() {
        Histogram h = new Histogram(1, 2, 4);
        for (double v : new double[] {0.5, 1, 1.5, 4, 9}) {
            h.observe(v);
        }
        Buckets b = h.buckets();
        assertArrayEquals(new long[] {2, 1, 1, 1}, b.counts());
        assertEquals(16.0, b.sum());
        assertEquals(5, b.count());
    }

    @Test
    void labelsKeepTheirOrder() {
        Sample s = Sample.of(3, "group", "0", "peer", "2");
        assertEquals(List.of("group", "peer"), List.copyOf(s.labels().keySet()));
        assertEquals(Map.of("group", "0", "peer", "2"), s.labels());
    }

    @Test
    void refusesWhatTheTextFormatCannotSay() {
        assertThrows(IllegalArgumentException.class, () -> Metric.counter("chubby_x_total", "h", 1));
        assertThrows(IllegalArgumentException.class, () -> Metric.gauge("chubby-x", "h", 1));
        assertThrows(IllegalArgumentException.class, () -> new Metric("chubby_h", "h", Type.HISTOGRAM,
                List.of(Sample.of(1))));
        assertThrows(IllegalArgumentException.class, () -> new Histogram(2, 1));
        assertThrows(IllegalArgumentException.class, () -> Sample.of(1, "odd"));
    }
}
