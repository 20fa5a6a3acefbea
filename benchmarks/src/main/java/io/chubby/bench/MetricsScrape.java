package io.chubby.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What Prometheus does to a cell, for the metrics overhead figure (issue 22): every replica's
 * {@code /metrics} fetched once a second on a thread of its own, from {@link #start} to
 * {@link #close}, while the workloads run. Counts the scrapes, failures, bytes and the slowest.
 */
final class MetricsScrape implements AutoCloseable {
    private static final long PERIOD_MS = 1000;

    private final List<String> urls;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong slowestNanos = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    private MetricsScrape(List<String> urls) {
        this.urls = List.copyOf(urls);
        this.thread = new Thread(this::loop, "metrics-scrape");
        this.thread.setDaemon(true);
    }

    /** Starts scraping {@code urls} (each replica's {@code http://host:port/metrics}) once a second. */
    static MetricsScrape start(List<String> urls) {
        MetricsScrape s = new MetricsScrape(urls);
        s.thread.start();
        return s;
    }

    private void loop() {
        long next = System.nanoTime();
        while (running) {
            for (String url : urls) {
                scrape(url);
            }
            next += PERIOD_MS * 1_000_000;
            long sleepMs = (next - System.nanoTime()) / 1_000_000;
            if (sleepMs > 0) {
                try {
                    Thread.sleep(sleepMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void scrape(String url) {
        long t = System.nanoTime();
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 200) {
                ok.incrementAndGet();
                bytes.addAndGet(r.body().length);
            } else {
                failed.incrementAndGet();
            }
        } catch (java.io.IOException e) {
            failed.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
        slowestNanos.accumulateAndGet(System.nanoTime() - t, Math::max);
    }

    /** One line: replicas, scrapes, failures, mean size, slowest. */
    String summary() {
        long n = ok.get();
        return String.format(Locale.ROOT, "%d replicas scraped once a second: %d scrapes, %d failed, %.1f KiB each, "
                + "slowest %.1f ms", urls.size(), n, failed.get(), n == 0 ? 0 : bytes.get() / 1024.0 / n,
                slowestNanos.get() / 1e6);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
    }
}
