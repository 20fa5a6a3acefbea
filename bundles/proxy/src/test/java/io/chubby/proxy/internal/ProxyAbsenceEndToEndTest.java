package io.chubby.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.MasterChannel;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.sim.cell.InProcessCell;
import io.chubby.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Absence cached in the proxy (issue 17), end to end: proxies in front of a real cell server in
 * this JVM ({@link InProcessCell}), each behind a real acceptor, clients of the unchanged library.
 * Many clients opening one missing path cost the master two Opens; a creation through another
 * proxy or directly is seen at once through the proxy that had cached the absence, and a deletion
 * after it is cached again only after a new fill; a client that does not honour
 * {@code Error.uncacheable} always reaches the master. Master Opens are read from the proxy's
 * Status ({@code opens_passed}: client Opens without create passed through; {@code absence_fills}:
 * Opens of the proxy's own session).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProxyAbsenceEndToEndTest {
    private static final long LEASE_MS = 4_000;
    private InProcessCell cell;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() {
        CellSettings d = CellSettings.defaults("local");
        cell = InProcessCell.builder().settings(new CellSettings("local", d.maxContentBytes(), LEASE_MS, 3 * LEASE_MS,
                400, 20)).start();
    }

    @AfterEach
    void stop() {
        for (int i = closing.size() - 1; i >= 0; i--) {
            try {
                closing.get(i).close();
            } catch (Exception e) {
                // best effort at teardown
            }
        }
        cell.close();
    }

    private TestProxy proxy() throws Exception {
        TestProxy p = new TestProxy(cell.address(), Duration.ofMillis(3 * LEASE_MS), ProxyServer.Limits.FROM_HEAP);
        closing.add(p);
        Await.until("the proxy's own session", () -> p.server.status().getSessions() >= 1);
        return p;
    }

    private ChubbyClient client(String spec) {
        ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(spec).callTimeout(Duration.ofSeconds(5))
                .clientName("absence-" + closing.size()).build());
        closing.add(c);
        return c;
    }

    @Test
    void tenClientsOpeningOneMissingPathCostTheMasterTwoOpens() throws Exception {
        TestProxy p = proxy();
        client(cell.address()).mkdir("/ls/local/d");
        List<ChubbyClient> clients = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            clients.add(client(p.address));
        }
        for (ChubbyClient c : clients) {
            assertFalse(c.exists("/ls/local/d/missing"));
        }
        // the first passed through with its own session, the second was the proxy's fill, eight were hits
        assertEquals(1, p.metric("opens_passed"), () -> p.metrics().toString());
        assertEquals(1, p.metric("absence_fills"), () -> p.metrics().toString());
        assertEquals(8, p.metric("absence_hits"), () -> p.metrics().toString());
        assertEquals(1, p.metric("absence_entries"), () -> p.metrics().toString());
        for (ChubbyClient c : clients) {
            assertFalse(c.exists("/ls/local/d/missing"));
        }
        // the first client cached the master's own answer; the nine served by the proxy did not keep theirs
        assertEquals(1, p.metric("opens_passed"), () -> p.metrics().toString());
        assertEquals(1, p.metric("absence_fills"), () -> p.metrics().toString());
        assertEquals(17, p.metric("absence_hits"), () -> p.metrics().toString());
    }

    @Test
    void aCreationThroughAnotherProxyOrDirectlyIsSeenAtOnceAndADeletionIsCachedOnlyAfterANewFill() throws Exception {
        TestProxy a = proxy();
        TestProxy b = proxy();
        ChubbyClient direct = client(cell.address());
        direct.mkdir("/ls/local/d");
        ChubbyClient throughB = client(b.address);
        List<ChubbyClient> readers = List.of(client(a.address), client(a.address), client(a.address));
        for (String name : List.of("viaB", "direct")) {
            String path = "/ls/local/d/" + name;
            for (ChubbyClient r : readers) {
                assertFalse(r.exists(path));
            }
        }
        assertEquals(2, a.metric("absence_entries"), () -> a.metrics().toString());
        long hits = a.metric("absence_hits");
        assertEquals(2, hits, () -> a.metrics().toString());

        // The creations return only once proxy A dropped its absent entries and acknowledged.
        throughB.write("/ls/local/d/viaB", "b".getBytes(StandardCharsets.UTF_8));
        assertEquals(1, a.metric("absence_entries"), () -> a.metrics().toString());
        direct.write("/ls/local/d/direct", "d".getBytes(StandardCharsets.UTF_8));
        assertEquals(0, a.metric("absence_entries"), () -> a.metrics().toString());
        for (String name : List.of("viaB", "direct")) {
            for (ChubbyClient r : readers) {
                assertTrue(r.exists("/ls/local/d/" + name), name + " seen at once through proxy A");
            }
        }
        assertEquals(hits, a.metric("absence_hits"), "nothing answered absent from the cache: " + a.metrics());

        // Deleted again: the first Open passes through, the next fills; only then is it cached.
        direct.delete("/ls/local/d/viaB");
        long fills = a.metric("absence_fills");
        long passed = a.metric("opens_passed");
        assertFalse(readers.get(0).exists("/ls/local/d/viaB"));
        assertEquals(0, a.metric("absence_entries"), () -> a.metrics().toString());
        assertEquals(passed + 1, a.metric("opens_passed"), () -> a.metrics().toString());
        assertFalse(readers.get(1).exists("/ls/local/d/viaB"));
        assertEquals(fills + 1, a.metric("absence_fills"), () -> a.metrics().toString());
        assertEquals(1, a.metric("absence_entries"), () -> a.metrics().toString());
        assertFalse(readers.get(2).exists("/ls/local/d/viaB"));
        assertEquals(hits + 1, a.metric("absence_hits"), () -> a.metrics().toString());
    }

    @Test
    void aClientThatDoesNotHonourUncacheableAlwaysReachesTheMaster() throws Exception {
        TestProxy p = proxy();
        client(cell.address()).mkdir("/ls/local/d");
        ChubbyClient c1 = client(p.address);
        ChubbyClient c2 = client(p.address);
        assertFalse(c1.exists("/ls/local/d/none"));
        assertFalse(c2.exists("/ls/local/d/none"));
        assertEquals(1, p.metric("absence_entries"), () -> p.metrics().toString());
        long passed = p.metric("opens_passed");
        long hits = p.metric("absence_hits");

        // an older client library: it sets no honours_uncacheable (and would cache whatever it is told)
        MasterChannel old = ChubbyClient.openChannel(ClientOptions.builder().cell(p.address)
                .callTimeout(Duration.ofSeconds(5)).clientName("old").build());
        closing.add(old);
        Response created = call(old, Request.newBuilder().setCreateSession(CreateSessionRequest.newBuilder()
                .setClientName("old")));
        long session = created.getCreateSession().getSessionId();
        for (int i = 0; i < 3; i++) {
            Response r = call(old, Request.newBuilder().setSessionId(session).setOpen(OpenRequest.newBuilder()
                    .setPath("/ls/local/d/none").setModeBits(1)));
            assertEquals(ErrorCode.NO_SUCH_NODE.wire(), r.getError().getCode(), r::toString);
            assertFalse(r.getError().getUncacheable(), "the master's own answer: the old client's session is registered");
        }
        assertEquals(passed + 3, p.metric("opens_passed"), () -> p.metrics().toString());
        assertEquals(hits, p.metric("absence_hits"), () -> p.metrics().toString());
    }

    private static Response call(MasterChannel channel, Request.Builder req) throws Exception {
        return Response.parseFrom(channel.call(req.build().toByteArray(), MasterChannel.Retry.IDEMPOTENT)
                .get(10, TimeUnit.SECONDS));
    }
}
