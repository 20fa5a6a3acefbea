package io.chubby.metrics.internal;

/**
 * One Prometheus series made from one {@code CellMetrics} key.
 *
 * @param key     the Status metric name ({@code handles}, {@code lease_ms}, ...)
 * @param name    the Prometheus name, {@code chubby_} prefix, unit in the name; a counter's name
 *                without {@code _total} (the text format adds it)
 * @param help    the HELP line
 * @param counter true for a counter (only grows while the replica runs), false for a gauge
 */
record Series(String key, String name, String help, boolean counter) {

    static Series gauge(String key, String name, String help) {
        return new Series(key, name, help, false);
    }

    static Series counter(String key, String name, String help) {
        return new Series(key, name, help, true);
    }
}
