package io.chubby.cell.internal;

import static io.chubby.cell.internal.TestClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.master.LeasePolicy;
import io.chubby.cell.internal.master.SessionLeases;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.Create;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.testkit.CapturingConnection;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.MemoryStateStore;
import io.chubby.testkit.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Snapshot transfer between replicas through the StateMachine SPI, and the KeepAlive event channel. */
class SnapshotAndEventsTest {
    private final MutableClock clock = new MutableClock();
    private final CellSettings settings = new CellSettings("c", 1024, 12_000, 60_000, 1_000, 0);

    @Test
    void snapshotInstalledOnAnotherReplicaGivesSameStateAndStore() throws IOException {
        MemoryStateStore storeA = new MemoryStateStore();
        CellServer a = new CellServer(new FakeConsensus(), storeA, settings, clock);
        a.start();
        TestClient client = new TestClient(a);
        client.createSession();
        ByteString h = client.handle("/ls/c/f", 3, Create.CREATE_MUST, false, false, "snap");
        client.handle("/ls/c/d", 3, Create.CREATE_MUST, true, false, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        a.stateMachine().writeSnapshot(out);

        FakeConsensus lagging = new FakeConsensus();
        lagging.loseMastership(2);
        MemoryStateStore storeB = new MemoryStateStore();
        CellServer b = new CellServer(lagging, storeB, settings, clock);
        b.start();
        b.stateMachine().installSnapshot(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(a.stateMachine().checksum(), b.stateMachine().checksum());
        assertEquals(a.stateMachine().appliedIndex(), b.stateMachine().appliedIndex());
        assertEquals(storeA.checksum(), storeB.checksum());
        assertEquals(storeA.tables(), storeB.tables());

        // B becomes master and serves the handle issued by A (same secret, same handle record).
        lagging.becomeMaster(2);
        TestClient resumed = new TestClient(b);
        resumed.session = client.session;
        Response r = resumed.ok(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(h)));
        assertEquals("snap", r.getGetContents().getContents().toStringUtf8());

        byte[] corrupt = out.toByteArray();
        corrupt[corrupt.length - 1] ^= 1;
        assertThrows(IOException.class, () -> b.stateMachine().installSnapshot(new ByteArrayInputStream(corrupt)));
        a.stop();
        b.stop();
    }

    @Test
    void masterWhoseInitWasRefusedRetriesOnTheTimer() {
        FakeConsensus quiet = new FakeConsensus();
        quiet.loseMastership(2);
        CellServer server = new CellServer(quiet, new MemoryStateStore(), settings, clock);
        server.start();
        // Consensus reports mastership without a becameMaster the cell could act on (as when a
        // proposal made inside the callback is refused): the timer still initialises the cell.
        quiet.failOverQuietly(1, 1);
        server.tick();
        TestClient client = new TestClient(server);
        client.createSession();
        client.handle("/ls/c/x", 3, Create.CREATE_MUST, false, false, null);
        server.stop();
    }

    @Test
    void queuedEventsReturnAHeldKeepAliveEarlyUntilAcknowledged() {
        CapturingConnection conn = new CapturingConnection();
        SessionLeases leases = new SessionLeases(settings, new LeasePolicy(settings), clock, () -> 5, id -> { });
        leases.grant(1);
        leases.keepAlive(conn, 10, 1, ka(0));
        assertNull(conn.last(), "held");
        leases.queueEvent(1, EventMessage.newBuilder().setKind(EventKind.CONTENTS_MODIFIED).setPath("/ls/c/f"));
        Response r = conn.forCall(10);
        assertEquals(1, r.getKeepAlive().getEventsCount());
        long seq = r.getKeepAlive().getEvents(0).getSeq();
        assertEquals((5L << 24) + 1, seq, "sequence numbers start above every earlier epoch's");
        assertEquals(5, r.getKeepAlive().getEpoch());
        // Not acknowledged by a client that read it: held (no resending at once, over and over) ...
        leases.keepAlive(conn, 11, 1, ka(0));
        assertNull(conn.forCall(11), "held: the client read the event on this connection");
        // ... but on another connection (the reply may have been lost) it comes again at once, and so
        // does the superseded KeepAlive's answer.
        CapturingConnection other = new CapturingConnection();
        leases.keepAlive(other, 12, 1, ka(0));
        assertEquals(1, conn.forCall(11).getKeepAlive().getEventsCount());
        assertEquals(1, other.forCall(12).getKeepAlive().getEventsCount());
        // Acknowledged: the next one is held again.
        leases.keepAlive(other, 13, 1, ka(seq));
        assertNull(other.forCall(13));
        leases.remove(1, "test");
        assertError(ErrorCode.SESSION_EXPIRED, other.forCall(13));
    }

    static io.chubby.protocol.KeepAliveRequest ka(long ackedSeq) {
        return io.chubby.protocol.KeepAliveRequest.newBuilder().setAckedEventSeq(ackedSeq).build();
    }
}
