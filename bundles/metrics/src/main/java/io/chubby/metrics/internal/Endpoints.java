package io.chubby.metrics.internal;

import io.chubby.spi.ConsensusStatus;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What each request gets, by method and path (the servlet only copies the {@link Reply} out):
 * <ul>
 *   <li>{@code GET /metrics}: 200, the Prometheus text exposition format 0.0.4;</li>
 *   <li>{@code GET /health/live}: 200 while the cell component runs, else 503 with the reason;</li>
 *   <li>{@code GET /health/ready}: 200 when {@link Readiness} finds nothing missing, else 503 with
 *       its one-line reason;</li>
 *   <li>any other method on those paths: 405 ({@code Allow: GET, HEAD}); any other path: 404.</li>
 * </ul>
 * Deterministic given what the suppliers return.
 */
final class Endpoints {
    static final String METRICS = "/metrics";
    static final String LIVE = "/health/live";
    static final String READY = "/health/ready";

    private final Supplier<Reply> scrape;
    private final Supplier<ConsensusStatus> consensus;
    private final BooleanSupplier cellRunning;
    private final long maxLag;

    /**
     * @param scrape      the {@code /metrics} reply (called on every scrape)
     * @param consensus   the consensus view now, null when no consensus service is bound
     * @param cellRunning whether the cell component runs now
     * @param maxLag      see {@link Readiness#notReady}
     */
    Endpoints(Supplier<Reply> scrape, Supplier<ConsensusStatus> consensus, BooleanSupplier cellRunning,
              long maxLag) {
        this.scrape = scrape;
        this.consensus = consensus;
        this.cellRunning = cellRunning;
        this.maxLag = maxLag;
    }

    Reply answer(String method, String path) {
        if (!path.equals(METRICS) && !path.equals(LIVE) && !path.equals(READY)) {
            return Reply.text(404, "not found: " + path);
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return new Reply(405, Reply.TEXT, ("method " + method + " not allowed on " + path + "\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8), "GET, HEAD");
        }
        return switch (path) {
            case METRICS -> scrape.get();
            case LIVE -> cellRunning.getAsBoolean() ? Reply.text(200, "live")
                    : Reply.text(503, "not live: the cell component is not running");
            default -> ready();
        };
    }

    private Reply ready() {
        Optional<String> why = Readiness.notReady(consensus.get(), cellRunning.getAsBoolean(), maxLag);
        return why.map(reason -> Reply.text(503, "not ready: " + reason)).orElseGet(() -> Reply.text(200, "ready"));
    }
}
