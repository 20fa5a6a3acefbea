package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 22 on real processes: a three-replica cell made by {@code cell up} serves, on every
 * replica's HTTP port (Felix HTTP Jetty, base port + 200 + id, shown by {@code cell status} as
 * {@code http=}), {@code /metrics} in the Prometheus text format with the cell's series (exactly one
 * replica with role master), {@code /health/live} and {@code /health/ready}; an unknown path is 404,
 * a POST 405. Every replica killed and replica 1 started alone: it knows no master, so
 * {@code /health/ready} is 503 with a one-line reason while {@code /health/live} is 200; after
 * {@code cell up} restarts them all three are ready again. The bundles' own series (their
 * {@code MetricSource}s: commits, fsync latency, batch sizes, JE, peer links, the cell's new
 * counters) are on every replica; the DNS bridge's query counts appear once dig asked, and go when
 * the bridge's bundle is uninstalled from the running replica ({@code chubby admin uninstall}).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MetricsIT {
    private static final long DEADLINE_MS = 60_000;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private LocalCell cell;

    @AfterEach
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stopCell() {
        if (cell != null) {
            cell.stop();
        }
    }

    @Test
    void everyReplicaServesMetricsAndHealth() throws Exception {
        cell = new LocalCell(3);
        LocalCell.Run up = cell.up();
        assertEquals(0, up.exit(), () -> up + cell.logs());
        assertEquals(0, cell.chubby(null, "put", "/ls/local/metrics-it", "x").exit());
        List<Map<String, String>> lines = cell.await("3 replicas converged", cell::converged, DEADLINE_MS);

        List<String> bodies = new ArrayList<>();
        for (Map<String, String> line : lines) {
            int id = Integer.parseInt(line.get("replica"));
            String base = line.get("http");
            assertEquals("http://127.0.0.1:" + (cell.basePort() + 200 + id), base, "cell status: " + line);
            cell.await("replica " + id + " ready", () -> {
                HttpResponse<String> r = getOrNull(base + "/health/ready");
                return r != null && r.statusCode() == 200 ? "" : null;
            }, DEADLINE_MS);
            assertEquals("ready\n", get(base + "/health/ready").body());
            HttpResponse<String> live = get(base + "/health/live");
            assertEquals(200, live.statusCode());
            assertEquals("live\n", live.body());

            HttpResponse<String> metrics = get(base + "/metrics");
            assertEquals(200, metrics.statusCode());
            String type = metrics.headers().firstValue("Content-Type").orElse("");
            assertTrue(type.startsWith("text/plain; version=0.0.4"), type);
            String text = metrics.body();
            for (String series : List.of("chubby_role{role=\"master\"}", "chubby_epoch ", "chubby_applied_index ",
                    "chubby_commit_index ", "chubby_sessions ", "chubby_handles ", "chubby_held_keepalives ",
                    "chubby_lease_milliseconds ", "chubby_lease_ceiling_milliseconds ", "chubby_cache_drops_total ",
                    "chubby_replica_id " + id + ".0", "jvm_memory_used_bytes{area=\"heap\"}", "jvm_threads_current ",
                    "jvm_gc_collection_seconds_count", "chubby_commits_total{group=\"0\"}",
                    "chubby_proposals_total{group=\"0\"}", "chubby_log_fsync_seconds_bucket{le=\"0.001\"}",
                    "chubby_log_fsync_seconds_count ", "chubby_log_batch_entries_count{group=\"0\"}",
                    "chubby_je_cache_bytes ", "chubby_je_log_bytes ", "chubby_je_checkpoints_total ",
                    "chubby_peer_link_up{peer=\"", "chubby_peer_last_heard_seconds{peer=\"", "chubby_keepalives_total ",
                    "chubby_locks_held ", "chubby_events_sent_total ", "chubby_cache_invalidations_sent_total ")) {
                assertTrue(text.contains(series), "replica " + id + " lacks " + series + ":\n" + text);
            }
            bodies.add(text);

            assertEquals(404, get(base + "/nothing-here").statusCode());
            assertEquals(404, get(base + "/health/other").statusCode());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        }
        assertEquals(1, bodies.stream().filter(b -> b.contains("chubby_role{role=\"master\"} 1.0\n")).count(),
                "exactly one master:\n" + String.join("\n----\n", bodies));
        dnsSeriesGoWithTheirBundle(lines.stream().filter(m -> m.get("replica").equals("1")).findFirst()
                .orElseThrow().get("http"));

        // every replica killed, then replica 1 started alone: with both peers down it can never
        // learn of a master, so it answers 503 (one line) while its cell runs (live)
        for (Map<String, String> m : lines) {
            ProcessHandle p = ProcessHandle.of(Long.parseLong(m.get("pid"))).orElseThrow();
            p.destroyForcibly();
            p.onExit().join();
        }
        Process alone = new ProcessBuilder(ExamOptions.dist().resolve("bin").resolve("chubby-server").toString(),
                cell.dir().resolve("replica-1").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String one = lines.stream().filter(m -> m.get("replica").equals("1")).findFirst().orElseThrow().get("http");
        HttpResponse<String> notReady = cell.await("replica 1 alone answering /health/ready", () -> {
            HttpResponse<String> r = getOrNull(one + "/health/ready");
            return r != null ? r : null;
        }, DEADLINE_MS);
        assertEquals(503, notReady.statusCode(), notReady.body());
        assertTrue(notReady.body().startsWith("not ready: no master known (role "), notReady.body());
        assertEquals(notReady.body().length() - 1, notReady.body().indexOf('\n'), "one line: " + notReady.body());
        System.out.println("MetricsIT: replica 1 alone answered 503 " + notReady.body().strip());
        cell.await("replica 1 alone live", () -> {
            HttpResponse<String> r = getOrNull(one + "/health/live");
            return r != null && r.statusCode() == 200 ? "" : null;
        }, DEADLINE_MS);
        assertEquals(503, get(one + "/health/ready").statusCode(), "still no master");
        assertTrue(get(one + "/metrics").body().contains("chubby_master_id 0.0\n"));
        alone.destroyForcibly();
        alone.onExit().join();

        // cell up restarts them all: every replica ready again
        LocalCell.Run restart = cell.up();
        assertEquals(0, restart.exit(), () -> restart + cell.logs());
        for (Map<String, String> m : lines) {
            List<String> seen = new ArrayList<>();
            cell.await("replica " + m.get("replica") + " ready again", () -> {
                HttpResponse<String> r = getOrNull(m.get("http") + "/health/ready");
                seen.add(r == null ? "no answer" : r.statusCode() + " " + r.body().strip());
                return r != null && r.statusCode() == 200 ? "" : null;
            }, DEADLINE_MS);
            System.out.println("MetricsIT: /health/ready of replica " + m.get("replica") + " after cell up: "
                    + distinct(seen));
        }
    }

    /**
     * Replica 1 runs the DNS bridge (base port + 51): a query shows in its series; the bundle
     * uninstalled from the running replica takes them away while /metrics keeps serving the rest.
     */
    private void dnsSeriesGoWithTheirBundle(String http) throws Exception {
        String dns = "chubby_dns_queries_total{rcode=\"NOERROR\",type=\"A\"} ";
        assertEquals(List.of("127.0.0.1"), Dig.ask(cell.basePort() + 51, "+notcp", "master.local.chubby.", "A"));
        assertTrue(get(http + "/metrics").body().contains(dns), "dig's query counted");

        String replica1 = "127.0.0.1:" + (cell.basePort() + 1);
        LocalCell.Run lb = cell.chubby(null, "admin", "--replica", replica1, "lb", "-s", "io.chubby.dns");
        assertEquals(0, lb.exit(), lb::toString);
        String id = lb.out().lines().filter(l -> l.contains("io.chubby.dns")).map(l -> l.split("\\|")[0].strip())
                .findFirst().orElseThrow(() -> new AssertionError("no io.chubby.dns in " + lb.out()));
        LocalCell.Run uninstall = cell.chubby(null, "admin", "--replica", replica1, "uninstall", id);
        assertEquals(0, uninstall.exit(), uninstall::toString);
        cell.await("the bridge's series gone with its bundle", () -> {
            HttpResponse<String> r = getOrNull(http + "/metrics");
            return r != null && r.statusCode() == 200 && !r.body().contains("chubby_dns_")
                    && r.body().contains("chubby_commits_total") ? "" : null;
        }, DEADLINE_MS);
        System.out.println("MetricsIT: io.chubby.dns (bundle " + id + ") uninstalled from replica 1: its series gone");
    }

    private static List<String> distinct(List<String> seen) {
        List<String> out = new ArrayList<>();
        for (String s : seen) {
            if (out.isEmpty() || !out.get(out.size() - 1).equals(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private HttpResponse<String> getOrNull(String url) {
        try {
            return get(url);
        } catch (IOException e) {
            return null;
        }
    }

    private HttpResponse<String> get(String url) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
