/**
 * Prometheus metrics and health checks of one replica over the OSGi HTTP Whiteboard (issue 22).
 * Pure parts: {@link io.chubby.metrics.internal.CellSeries} (the Status numbers and the consensus
 * view as Prometheus series), {@link io.chubby.metrics.internal.SourceSeries} (the bundles'
 * {@link io.chubby.spi.MetricSource} series), {@link io.chubby.metrics.internal.Readiness} (the readiness rule) and
 * {@link io.chubby.metrics.internal.Endpoints} (what each request gets). The edge:
 * {@link io.chubby.metrics.internal.MetricsServlet} (a Jakarta servlet) and
 * {@link io.chubby.metrics.internal.MetricsComponent} (the DS component that registers it). Nothing
 * here is exported; the Prometheus Java client is embedded.
 */
package io.chubby.metrics.internal;
