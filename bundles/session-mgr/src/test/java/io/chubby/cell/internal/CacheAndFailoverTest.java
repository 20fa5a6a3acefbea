package io.chubby.cell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.Create;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetContentsRequest;
import io.chubby.protocol.StatusRequest;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.MemoryStateStore;
import io.chubby.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Consistent caching (invalidate before write), events, failover KeepAlives, idle sessions, many sessions per connection. */
class CacheAndFailoverTest {
    private static final int RW = 3;
    private final MutableClock clock = new MutableClock();
    private final MemoryStateStore store = new MemoryStateStore();
    private final FakeConsensus consensus = new FakeConsensus();
    private final CellSettings settings = new CellSettings("c", 1024, 12_000, 60_000, 1_000, 0, 60_000, 10);
    private CellServer server;
    private TestClient writer;
    private TestClient reader;

    @BeforeEach
    void start() {
        server = new CellServer(consensus, store, settings, clock);
        server.start();
        writer = new TestClient(server);
        writer.createSession();
        reader = new TestClient(server);
        reader.createSession();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    /** Sends a KeepAlive without expecting an answer now; returns its call id. */
    private static long keepAlive(TestClient c, KeepAliveRequest.Builder ka) {
        long id = ++c.callId;
        c.server.request(c.conn, Request.newBuilder().setCallId(id).setSessionId(c.session).setEpoch(c.epoch)
                .setKeepAlive(ka).build().toByteArray());
        return id;
    }

    private static long send(TestClient c, Request.Builder req) {
        long id = ++c.callId;
        c.server.request(c.conn, req.setCallId(id).setSessionId(c.session).setEpoch(c.epoch).build().toByteArray());
        return id;
    }

    private static ByteString utf8(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }

    private Response read(TestClient c, ByteString h) {
        return c.ok(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(h)));
    }

    @Test
    void writeWaitsUntilEveryCachingSessionAcknowledgedItsInvalidation() {
        ByteString w = writer.handle("/ls/c/f", RW, Create.CREATE_MUST, false, false, "v1");
        ByteString r = reader.handle("/ls/c/f", 1, Create.CREATE_NO, false, false, null);
        long held = keepAlive(reader, KeepAliveRequest.newBuilder());
        assertNull(reader.conn.forCall(held), "KeepAlive held");
        assertTrue(read(reader, r).getGetContents().getCacheable(), "no write in progress: cacheable");

        int proposalsBefore = consensus.proposals();
        long write = send(writer, Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(w)
                .setContents(utf8("v2"))));
        assertNull(writer.conn.forCall(write), "the write waits for the reader's acknowledgement");
        KeepAliveReply early = reader.conn.forCall(held).getKeepAlive();
        assertEquals(1, early.getInvalidationsCount(), "the held KeepAlive returned early with the invalidation");
        assertEquals("/f", early.getInvalidations(0).getPath());
        // Meanwhile reads are not delayed but uncacheable, and still see the old value.
        Response during = read(reader, r);
        assertFalse(during.getGetContents().getCacheable());
        assertEquals("v1", during.getGetContents().getContents().toStringUtf8());
        assertEquals(proposalsBefore, consensus.proposals(), "nothing proposed before the acknowledgement");

        keepAlive(reader, KeepAliveRequest.newBuilder().addAckedInvalidations(early.getInvalidations(0).getId()));
        Response done = writer.conn.forCall(write);
        assertNotNull(done, "acknowledged: the write went ahead");
        assertEquals(2, done.getSetContents().getStat().getContentGeneration());
        Response after = read(reader, r);
        assertTrue(after.getGetContents().getCacheable());
        assertEquals("v2", after.getGetContents().getContents().toStringUtf8());
    }

    @Test
    void writeGoesAheadWhenTheSilentCachersLeaseEnds() {
        ByteString w = writer.handle("/ls/c/f", RW, Create.CREATE_MUST, false, false, "v1");
        ByteString r = reader.handle("/ls/c/f", 1, Create.CREATE_NO, false, false, null);
        read(reader, r);
        long write = send(writer, Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(w)
                .setContents(utf8("v2"))));
        // The writer keeps its session alive; the reader never sends a KeepAlive again.
        for (int i = 0; i < 11 && writer.conn.forCall(write) == null; i++) {
            keepAlive(writer, KeepAliveRequest.newBuilder());
            clock.advance(1_000);
            server.tick();
        }
        assertNull(writer.conn.forCall(write), "still waiting while the reader's lease may run");
        for (int i = 0; i < 3 && writer.conn.forCall(write) == null; i++) {
            keepAlive(writer, KeepAliveRequest.newBuilder());
            clock.advance(1_000);
            server.tick();
        }
        Response done = writer.conn.forCall(write);
        assertNotNull(done, "the reader's lease ended: the write went ahead");
        assertFalse(done.hasError(), done::toString);
    }

    @Test
    void absenceReadersAreInvalidatedByCreation() {
        Response missing = reader.open("/ls/c/new", 1, Create.CREATE_NO, false, false, null);
        assertTrue(missing.hasError());
        long held = keepAlive(reader, KeepAliveRequest.newBuilder());
        long create = send(writer, Request.newBuilder().setOpen(io.chubby.protocol.OpenRequest.newBuilder()
                .setPath("/ls/c/new").setModeBits(RW).setCreate(Create.CREATE_MUST)));
        assertNull(writer.conn.forCall(create));
        KeepAliveReply inv = reader.conn.forCall(held).getKeepAlive();
        assertEquals("/new", inv.getInvalidations(0).getPath());
        keepAlive(reader, KeepAliveRequest.newBuilder().addAckedInvalidations(inv.getInvalidations(0).getId()));
        assertTrue(writer.conn.forCall(create).getOpen().getCreated());
    }

    @Test
    void eventsReachSubscribedHandlesInOrder() {
        int mask = (1 << EventKind.CONTENTS_MODIFIED_VALUE) | (1 << EventKind.CHILD_ADDED_VALUE)
                | (1 << EventKind.CHILD_REMOVED_VALUE) | (1 << EventKind.CHILD_MODIFIED_VALUE)
                | (1 << EventKind.HANDLE_INVALID_VALUE);
        writer.handle("/ls/c/d", RW, Create.CREATE_MUST, true, false, null);
        reader.ok(Request.newBuilder().setOpen(io.chubby.protocol.OpenRequest.newBuilder().setPath("/ls/c/d")
                .setModeBits(1).setEventMask(mask)));
        ByteString f = writer.handle("/ls/c/d/f", RW, Create.CREATE_MUST, false, false, "a");
        reader.ok(Request.newBuilder().setOpen(io.chubby.protocol.OpenRequest.newBuilder().setPath("/ls/c/d/f")
                .setModeBits(1).setEventMask(mask)));
        writer.ok(Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(f)
                .setContents(utf8("b"))));
        writer.ok(Request.newBuilder().setDelete(io.chubby.protocol.DeleteRequest.newBuilder().setHandle(f)));
        long ka = keepAlive(reader, KeepAliveRequest.newBuilder());
        List<EventMessage> ev = reader.conn.forCall(ka).getKeepAlive().getEventsList();
        assertEquals(List.of(EventKind.CHILD_ADDED, EventKind.CONTENTS_MODIFIED, EventKind.CHILD_MODIFIED,
                EventKind.HANDLE_INVALID, EventKind.CHILD_REMOVED), ev.stream().map(EventMessage::getKind).toList());
        assertEquals("f", ev.get(0).getChild());
        assertEquals("/ls/c/d", ev.get(0).getPath());
        assertEquals("/ls/c/d/f", ev.get(1).getPath());
        assertEquals(2, ev.get(1).getGeneration());
        for (int i = 1; i < ev.size(); i++) {
            assertTrue(ev.get(i).getSeq() > ev.get(i - 1).getSeq());
        }
        // The writer subscribed to nothing and hears nothing.
        long wka = keepAlive(writer, KeepAliveRequest.newBuilder());
        assertNull(writer.conn.forCall(wka));
    }

    @Test
    void newMasterAnswersTheFirstKeepAliveAtOnceWithTheFailoverEvent() {
        ByteString w = writer.handle("/ls/c/g", RW, Create.CREATE_MAY, false, false, "x");
        long held = keepAlive(reader, KeepAliveRequest.newBuilder());
        assertNull(reader.conn.forCall(held));
        consensus.loseMastership(2);
        assertTrue(reader.conn.forCall(held).hasError(), "held KeepAlive failed NOT_MASTER");
        consensus.becomeMaster(7);
        reader.epoch = 7;
        writer.epoch = 7;
        long first = keepAlive(reader, KeepAliveRequest.newBuilder().setAckedEventSeq(3));
        Response r = reader.conn.forCall(first);
        assertNotNull(r, "the first KeepAlive after a failover is answered at once");
        KeepAliveReply k = r.getKeepAlive();
        assertEquals(EventKind.MASTER_FAILED_OVER, k.getEvents(0).getKind());
        assertEquals(7, k.getEpoch());
        assertEquals(12_000, k.getLeaseMs(), "promised the ceiling; the master keeps the session to the max lease");
        // A write waits for sessions that have not yet flushed their caches (acknowledged the failover).
        long write = send(writer, Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(w)
                .setContents(utf8("y"))));
        assertNull(writer.conn.forCall(write), "the reader has not acknowledged the failover");
        long second = keepAlive(reader, KeepAliveRequest.newBuilder().setAckedEventSeq(k.getEvents(0).getSeq())
                .setAckedFailover(true));
        assertNull(reader.conn.forCall(second), "acknowledged: held as usual");
        assertNotNull(writer.conn.forCall(write), "every session flushed: the write went ahead");
        // Never held past the lease the client was told.
        clock.advance(k.getLeaseMs() - 1_000);
        server.tick();
        assertNotNull(reader.conn.forCall(second));
    }

    /**
     * A master whose lease lapses and comes back at the same epoch (no other master in between)
     * lost its cache tracking with the lapse: its return must be a takeover like any other, or a
     * write would go ahead without invalidating a reader's cached copy (found by the whole-cell
     * simulator, seed 71).
     */
    @Test
    void aMasterThatGetsItsLeaseBackAtTheSameEpochTakesOverAgain() {
        ByteString w = writer.handle("/ls/c/h", RW, Create.CREATE_MAY, false, false, "old");
        ByteString r = reader.handle("/ls/c/h", 1, Create.CREATE_NO, false, false, null);
        assertTrue(read(reader, r).getGetContents().getCacheable(), "the reader may cache it");
        consensus.loseMastership(0); // the lease lapsed: no master known for a moment
        consensus.becomeMaster(consensus.epoch()); // the same epoch: the lease lapsed and was renewed
        long ka = keepAlive(reader, KeepAliveRequest.newBuilder().setAckedEventSeq(0));
        Response first = reader.conn.forCall(ka);
        assertNotNull(first, "the first KeepAlive after the return is answered at once");
        assertEquals(EventKind.MASTER_FAILED_OVER, first.getKeepAlive().getEvents(0).getKind());
        long write = send(writer, Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(w)
                .setContents(utf8("new"))));
        assertNull(writer.conn.forCall(write), "the write waits for the reader to flush its cache");
        keepAlive(reader, KeepAliveRequest.newBuilder().setAckedEventSeq(first.getKeepAlive().getEvents(0).getSeq())
                .setAckedFailover(true));
        assertNotNull(writer.conn.forCall(write), "flushed: the write went ahead");
    }

    /**
     * The consensus keeps a proposal pending across a lapse of the lease at the same epoch (it
     * commits later under the same ballot). The settling entry of a takeover that lapsed again
     * before it committed is not proposed after the return, so not behind the writes proposed
     * before it: applied after the return, it settles nothing, and the return settles with an
     * entry of its own.
     */
    @Test
    void aSettlingEntryProposedBeforeALapseDoesNotSettleTheReturn() {
        ByteString r = reader.handle("/ls/c/s", RW, Create.CREATE_MAY, false, false, "v");
        consensus.hold();
        consensus.lapse(); // a takeover: its settling entry waits in the log
        consensus.lapse(); // the lease lapses again before that entry commits
        assertEquals(1, consensus.heldProposals(), "kept across the lapse");
        consensus.release(); // the first return's settling entry is applied now

        TestClient.assertError(io.chubby.api.ErrorCode.CELL_UNAVAILABLE, reader.call(Request.newBuilder()
                .setGetContents(GetContentsRequest.newBuilder().setHandle(r))));
        server.tick(); // the return proposes its own
        assertEquals("v", read(reader, r).getGetContents().getContents().toStringUtf8());
    }

    @Test
    void heldKeepAliveNeverOutlivesTheLeaseTheClientWasTold() {
        long held = keepAlive(reader, KeepAliveRequest.newBuilder());
        clock.advance(10_999);
        server.tick();
        assertNull(reader.conn.forCall(held));
        clock.advance(1);
        server.tick();
        assertEquals(12_000, reader.conn.forCall(held).getKeepAlive().getLeaseMs());
    }

    @Test
    void idleSessionWithoutHandlesIsEnded() {
        ByteString h = writer.handle("/ls/c/keep", RW, Create.CREATE_MUST, false, false, null);
        assertNotNull(h);
        for (int i = 0; i < 7; i++) {
            keepAlive(reader, KeepAliveRequest.newBuilder());
            keepAlive(writer, KeepAliveRequest.newBuilder());
            clock.advance(10_000);
            server.tick();
        }
        TestClient.assertError(io.chubby.api.ErrorCode.SESSION_EXPIRED,
                reader.call(Request.newBuilder().setOpen(io.chubby.protocol.OpenRequest.newBuilder()
                        .setPath("/ls/c/keep").setModeBits(1))));
        assertFalse(writer.call(Request.newBuilder().setOpen(io.chubby.protocol.OpenRequest.newBuilder()
                .setPath("/ls/c/keep").setModeBits(1))).hasError(), "a session with handles stays");
    }

    @Test
    void hundredSessionsShareOneConnection() {
        TestClient mux = new TestClient(server);
        long[] ids = new long[100];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = mux.createSession();
        }
        assertEquals(100, java.util.Arrays.stream(ids).distinct().count());
        for (int i = 0; i < ids.length; i++) {
            mux.session = ids[i];
            ByteString h = mux.handle("/ls/c/m" + i, RW, Create.CREATE_MUST, false, false, "s" + i);
            assertEquals("s" + i, read(mux, h).getGetContents().getContents().toStringUtf8());
            keepAlive(mux, KeepAliveRequest.newBuilder());
        }
        assertEquals("102", server.statusForTest().getMetricsMap().get("sessions"));
        assertTrue(Long.parseLong(server.statusForTest().getMetricsMap().get("held_keepalives")) >= 100);
        // Every held KeepAlive of the connection is answered for its own session.
        clock.advance(11_000);
        server.tick();
        long answered = mux.conn.sent().stream().filter(Response::hasKeepAlive).count();
        assertEquals(100, answered);
    }

    @Test
    void leasesLengthenUnderLoadAndShrinkBack() {
        // Target 10 KeepAlives/s: 2 sessions -> base lease; 300 sessions -> 30 s.
        for (int i = 0; i < 5 && !"12000".equals(status().get("lease_ceiling_ms")); i++) {
            server.tick();
        }
        assertEquals("12000", status().get("lease_ms"));
        assertEquals("12000", status().get("lease_ceiling_ms"), "the first master records its lease as the ceiling");
        TestClient many = new TestClient(server);
        long[] ids = new long[300];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = many.createSession();
        }
        server.tick();
        assertEquals("12000", status().get("lease_ms"), "not before the ceiling is raised: "
                + status().get("lease_ceiling_ms"));
        server.tick();
        assertEquals("31000", status().get("lease_ceiling_ms"), "raised to the next whole second first");
        assertEquals("30200", status().get("lease_ms"), "302 sessions at 10 KeepAlives/s");
        long ka = keepAlive(many, KeepAliveRequest.newBuilder());
        clock.advance(11_000);
        server.tick();
        assertEquals(30_200, many.conn.forCall(ka).getKeepAlive().getLeaseMs(), "grants the longer lease");
        for (long id : ids) {
            many.session = id;
            many.ok(Request.newBuilder().setCloseSession(io.chubby.protocol.CloseSessionRequest.newBuilder()));
        }
        server.tick();
        assertEquals("12000", status().get("lease_ms"));
        assertEquals("31000", status().get("lease_ceiling_ms"), "a master never lowers below what it promised");
        assertNotNull(writer.ok(Request.newBuilder().setStatus(StatusRequest.newBuilder())).getStatus()
                .getMetricsMap().get("keepalives_per_s"));
    }

    @Test
    void sessionWithoutKeepAlivesExpiresAndItsEphemeralGoesWhileOthersPoll() {
        ByteString e = reader.handle("/ls/c/eph", RW, Create.CREATE_MUST, false, true, null);
        assertNotNull(e);
        for (int i = 0; i < 70; i++) {
            keepAlive(writer, KeepAliveRequest.newBuilder());
            Response o = writer.open("/ls/c/eph", 1, Create.CREATE_NO, false, false, null);
            if (o.hasError()) {
                assertTrue(i >= 59, "gone only after the reader's lease: " + i);
                return;
            }
            writer.ok(Request.newBuilder().setClose(io.chubby.protocol.CloseRequest.newBuilder()
                    .setHandle(o.getOpen().getHandle())));
            clock.advance(200);
            server.tick();
        }
        throw new AssertionError("the ephemeral node outlived its session");
    }

    private java.util.Map<String, String> status() {
        return server.statusForTest().getMetricsMap();
    }
}
