package io.chubby.spi;

import java.util.Map;

/**
 * The cell's own numbers of one replica, for a metrics exporter: the values the Status reply
 * carries (sessions, handles, held KeepAlives, lease lengths, cache counters, ...) keyed by their
 * Status metric names ({@code handles}, {@code held_keepalives}, {@code lease_ms}, ...). Provided
 * by the cell component (session-mgr) while it runs; consensus numbers come from
 * {@link Consensus#status()}. Since SPI 1.9.
 */
public interface CellMetrics {

    /**
     * The numbers now, by Status metric name; only keys whose value is a number. Counters only
     * grow while the replica runs; the rest are gauges. Cheap enough to call on every scrape.
     */
    Map<String, Number> snapshot();
}
