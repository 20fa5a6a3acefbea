package io.chubby.metrics.internal;

import io.chubby.spi.ConsensusStatus;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The replica's own series: the consensus view ({@code chubby_role{role=...}}, epoch, indexes,
 * master id, lease validity) and the cell's Status numbers through {@link #CATALOG}. A Status key
 * missing from the snapshot (the cell component stopped, an older session-mgr) gives no series;
 * a key not in the catalog is not exported. Pure.
 */
final class CellSeries {
    static final List<String> ROLES = List.of("master", "replica", "candidate");

    /** The Status numbers exported, with their Prometheus names. */
    static final List<Series> CATALOG = List.of(
            Series.gauge("sessions", "chubby_sessions", "Sessions in the replicated cell state"),
            Series.gauge("leased_sessions", "chubby_leased_sessions",
                    "Sessions whose lease this replica keeps (the master's; 0 elsewhere)"),
            Series.gauge("nodes", "chubby_nodes", "Nodes (files and directories) in the namespace"),
            Series.gauge("handles", "chubby_handles", "Open handles in the replicated cell state"),
            Series.gauge("held_keepalives", "chubby_held_keepalives", "KeepAlive calls held by the master now"),
            Series.gauge("held_acquires", "chubby_lock_waiters", "Lock acquires waiting for a holder to release"),
            Series.gauge("locks_held", "chubby_locks_held", "Locks with at least one holder (replicated state)"),
            Series.counter("keepalives", "chubby_keepalives", "KeepAlives the master received (rate(): per second)"),
            Series.counter("events_sent", "chubby_events_sent",
                    "Events the master gave sessions to carry on their KeepAlives (each once)"),
            Series.counter("invalidations_sent", "chubby_cache_invalidations_sent",
                    "Cache invalidations the master gave sessions to carry on their KeepAlives (each once)"),
            Series.gauge("keepalives_per_s", "chubby_keepalives_per_second",
                    "KeepAlive rate the master measured over its last window"),
            Series.gauge("session_lease_ms", "chubby_session_lease_milliseconds", "Configured session lease"),
            Series.gauge("lease_ms", "chubby_lease_milliseconds", "Lease granted by each KeepAlive now"),
            Series.gauge("lease_ceiling_ms", "chubby_lease_ceiling_milliseconds",
                    "Longest lease any master promised, as recorded in the log"),
            Series.gauge("cache_tracked_paths", "chubby_cache_tracked_paths", "Paths with cached copies the master tracks"),
            Series.gauge("writes_invalidating", "chubby_cache_writes_invalidating",
                    "Writes waiting for cache invalidations to be acknowledged"),
            Series.counter("cache_drops", "chubby_cache_drops",
                    "Cache holders dropped for not acknowledging an invalidation"),
            Series.gauge("cache_holder_wait_max_ms", "chubby_cache_holder_wait_max_milliseconds",
                    "Longest wait for a cache holder's acknowledgement"),
            Series.counter("requests_refused_by_filters", "chubby_requests_refused_by_filters",
                    "Requests refused by request filters"),
            Series.counter("requests_denied", "chubby_requests_denied", "Requests denied by the authorizer"),
            Series.gauge("request_filters", "chubby_request_filters", "Request filters bound"),
            Series.gauge("feed_listeners", "chubby_feed_listeners", "Change-feed listeners bound"),
            Series.counter("feed_dropped_changes", "chubby_feed_dropped_changes",
                    "Changes dropped from slow change-feed listeners"),
            Series.counter("calls_on_behalf", "chubby_calls_on_behalf", "Calls carried for a proxy's clients"),
            Series.counter("on_behalf_refused", "chubby_calls_on_behalf_refused",
                    "Calls on behalf of another principal refused"));

    private CellSeries() {
    }

    /** The series of {@code status} (null: no consensus service, none) and {@code cell} (empty: none). */
    static List<MetricSnapshot> of(ConsensusStatus status, Map<String, Number> cell) {
        List<MetricSnapshot> out = new ArrayList<>();
        if (status != null) {
            out.add(role(status.role()));
            out.add(gauge("chubby_replica_id", "This replica's id", status.replicaId()));
            out.add(gauge("chubby_master_id", "The master this replica believes in (0: none)", status.masterId()));
            out.add(gauge("chubby_epoch", "The master's epoch (0: none)", status.epoch()));
            out.add(gauge("chubby_commit_index", "Highest log index known chosen", status.commitIndex()));
            out.add(gauge("chubby_applied_index", "Highest log index applied to the state machine",
                    status.appliedIndex()));
            out.add(gauge("chubby_first_log_index", "Lowest log index still kept", status.firstLogIndex()));
            out.add(gauge("chubby_master_lease_valid", "1 on a master whose lease is valid now",
                    status.leaseValid() ? 1 : 0));
            out.add(gauge("chubby_master_live", "1 when the master named is live as far as this replica knows "
                    + "(the master: lease valid; a follower: heard from it within a lease)", status.masterLive() ? 1 : 0));
        }
        for (Series s : CATALOG) {
            Number n = cell.get(s.key());
            if (n != null) {
                out.add(s.counter() ? counter(s.name(), s.help(), n.doubleValue())
                        : gauge(s.name(), s.help(), n.doubleValue()));
            }
        }
        return out;
    }

    /** {@code chubby_role{role=R}}: 1 for the role this replica has, 0 for the others. */
    static MetricSnapshot role(String role) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("chubby_role")
                .help("This replica's consensus role (1: the role it has)");
        for (String r : ROLES) {
            b.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("role", r))
                    .value(r.equals(role) ? 1 : 0).build());
        }
        if (!ROLES.contains(role)) {
            b.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("role", role)).value(1).build());
        }
        return b.build();
    }

    static MetricSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeDataPointSnapshot.builder().value(value).build()).build();
    }

    static MetricSnapshot counter(String name, String help, double value) {
        return CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterDataPointSnapshot.builder().value(value).build()).build();
    }
}
