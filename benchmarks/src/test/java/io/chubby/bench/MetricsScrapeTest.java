package io.chubby.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code --scrape}: every URL fetched once a second until closed; a failing one is counted, not fatal. */
class MetricsScrapeTest {

    @Test
    void scrapesEveryUrlOnceASecondAndCountsFailures() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger served = new AtomicInteger();
        byte[] body = "chubby_epoch 7.0\n".getBytes(StandardCharsets.UTF_8);
        server.createContext("/metrics", ex -> {
            served.incrementAndGet();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            MetricsScrape scrape = MetricsScrape.start(List.of(base + "/metrics", base + "/nothing"));
            Thread.sleep(1500);
            scrape.close();
            String summary = scrape.summary();
            int n = served.get();
            assertTrue(n >= 1 && n <= 2, "once a second in 1.5 s (at 0 and 1 s): " + n);
            assertTrue(summary.startsWith("2 replicas scraped once a second: " + n + " scrapes, " + n + " failed"),
                    summary);
        } finally {
            server.stop(0);
        }
    }
}
