package io.chubby.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.spi.ConsensusStatus;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Status codes and bodies of each path and method, and the readiness rule. */
class EndpointsTest {
    private final AtomicReference<ConsensusStatus> status = new AtomicReference<>(
            new ConsensusStatus(1, "replica", 2, 7, 120, 120, 0, 1, false));
    private final AtomicBoolean cell = new AtomicBoolean(true);
    private final Endpoints endpoints = new Endpoints(() -> Reply.text(200, "scraped"), status::get,
            cell::get, 10);

    @Test
    void metricsIsTheScrape() {
        assertEquals("scraped\n", endpoints.answer("GET", "/metrics").bodyText());
    }

    @Test
    void unknownPathIs404AndOtherMethods405() {
        assertEquals(404, endpoints.answer("GET", "/nothing").status());
        assertEquals(404, endpoints.answer("GET", "/health/other").status());
        Reply post = endpoints.answer("POST", "/metrics");
        assertEquals(405, post.status());
        assertEquals("GET, HEAD", post.allow());
        assertEquals(405, endpoints.answer("DELETE", "/health/ready").status());
        assertEquals(200, endpoints.answer("HEAD", "/health/live").status());
    }

    @Test
    void liveWhileTheCellRuns() {
        assertEquals(200, endpoints.answer("GET", "/health/live").status());
        cell.set(false);
        Reply r = endpoints.answer("GET", "/health/live");
        assertEquals(503, r.status());
        assertEquals("not live: the cell component is not running\n", r.bodyText());
    }

    @Test
    void readyWhenCaughtUpWithAMasterKnown() {
        assertEquals("ready\n", endpoints.answer("GET", "/health/ready").bodyText());
        status.set(new ConsensusStatus(1, "replica", 2, 7, 130, 120, 0, 1, false));
        assertEquals(200, endpoints.answer("GET", "/health/ready").status(), "10 behind: within max lag");
    }

    @Test
    void notReadyWithTheReasonOnOneLine() {
        status.set(new ConsensusStatus(1, "replica", 2, 7, 131, 120, 0, 1, false));
        assertNotReady("not ready: catching up: applied 120 of 131 chosen (11 behind, at most 10)\n");
        status.set(new ConsensusStatus(1, "candidate", 0, 0, 131, 131, 0, 1, false));
        assertNotReady("not ready: no master known (role candidate)\n");
        status.set(new ConsensusStatus(1, "candidate", 2, 7, 131, 131, 0, 1, false));
        assertNotReady("not ready: no master known (role candidate)\n");
        status.set(new ConsensusStatus(2, "master", 2, 7, 131, 131, 0, 1, false));
        assertNotReady("not ready: master without a valid lease\n");
        // a follower cut off from everyone still names its last master (seen on real processes)
        status.set(new ConsensusStatus(1, "replica", 3, 7, 131, 131, 0, 1, false, 0, false));
        assertNotReady("not ready: master 3 not heard from within a lease (role replica)\n");
        status.set(null);
        assertNotReady("not ready: no consensus service\n");
        status.set(new ConsensusStatus(2, "master", 2, 7, 131, 131, 0, 1, true));
        cell.set(false);
        assertNotReady("not ready: the cell component is not running\n");
        cell.set(true);
        assertEquals(200, endpoints.answer("GET", "/health/ready").status());
    }

    private void assertNotReady(String body) {
        Reply r = endpoints.answer("GET", "/health/ready");
        assertEquals(503, r.status());
        assertEquals(body, r.bodyText());
    }
}
