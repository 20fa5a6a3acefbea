package io.chubby.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.Histogram;
import io.chubby.spi.MetricSource;
import io.chubby.spi.MetricSource.Metric;
import io.chubby.spi.MetricSource.Sample;
import io.chubby.spi.MetricSource.Type;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A bundle's {@link MetricSource}: its series while it is bound, none once it is gone. */
class SourceSeriesTest {

    private static MetricSource dns() {
        return () -> List.of(new Metric("chubby_dns_queries", "DNS queries answered", Type.COUNTER,
                List.of(Sample.of(7, "type", "A", "rcode", "NOERROR"), Sample.of(2, "type", "SRV", "rcode", "NXDOMAIN"))));
    }

    @Test
    void aSourcesSeriesComeAndGoWithIt() {
        List<MetricSource> bound = new CopyOnWriteArrayList<>();
        Scraper scraper = new Scraper(() -> null, java.util.Map::of, () -> bound, false);
        assertFalse(scraper.scrape().bodyText().contains("chubby_dns_queries"));

        MetricSource dns = dns();
        bound.add(dns); // what SCR does when the bundle's service registers
        String text = scraper.scrape().bodyText();
        assertTrue(text.contains("# TYPE chubby_dns_queries_total counter\n"), text);
        assertTrue(text.contains("chubby_dns_queries_total{rcode=\"NOERROR\",type=\"A\"} 7.0\n"), text);
        assertTrue(text.contains("chubby_dns_queries_total{rcode=\"NXDOMAIN\",type=\"SRV\"} 2.0\n"), text);

        bound.remove(dns); // the bundle stopped or was uninstalled
        assertFalse(scraper.scrape().bodyText().contains("chubby_dns"));
    }

    @Test
    void histogramsHaveCumulativeBucketsCountAndSum() {
        Histogram h = new Histogram(0.001, 0.01);
        h.observe(0.0005);
        h.observe(0.005);
        h.observe(0.5);
        MetricSource store = () -> List.of(new Metric("chubby_log_fsync_seconds", "fsync", Type.HISTOGRAM,
                List.of(Sample.histogram(h.buckets()))));
        String text = new Scraper(() -> null, java.util.Map::of, () -> List.of(store), false).scrape().bodyText();
        assertTrue(text.contains("# TYPE chubby_log_fsync_seconds histogram\n"), text);
        assertTrue(text.contains("chubby_log_fsync_seconds_bucket{le=\"0.001\"} 1\n"), text);
        assertTrue(text.contains("chubby_log_fsync_seconds_bucket{le=\"0.01\"} 2\n"), text);
        assertTrue(text.contains("chubby_log_fsync_seconds_bucket{le=\"+Inf\"} 3\n"), text);
        assertTrue(text.contains("chubby_log_fsync_seconds_count 3\n"), text);
        assertTrue(text.contains("chubby_log_fsync_seconds_sum 0.5055\n"), text);
    }

    @Test
    void aNameTakenTwiceOrAFailingSourceIsLeftOutNotTheScrape() {
        MetricSource broken = () -> {
            throw new IllegalStateException("closed");
        };
        MetricSource clash = () -> List.of(Metric.gauge("chubby_epoch", "again", 9), Metric.gauge("chubby_ok", "ok", 1));
        String text = new Scraper(() -> ScraperTest.MASTER, java.util.Map::of, () -> List.of(broken, clash), false)
                .scrape().bodyText();
        assertTrue(text.contains("chubby_epoch 7.0\n"), text);
        assertFalse(text.contains("chubby_epoch 9.0"), text);
        assertTrue(text.contains("chubby_ok 1.0\n"), text);
        assertTrue(text.contains("chubby_metrics_series_skipped 2.0\n"), text);
    }
}
