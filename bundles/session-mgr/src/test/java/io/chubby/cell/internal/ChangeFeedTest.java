package io.chubby.cell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.Create;
import io.chubby.protocol.DeleteRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.SetAclRequest;
import io.chubby.protocol.SetContentsRequest;
import io.chubby.spi.ChangeListener;
import io.chubby.spi.NodeChange;
import io.chubby.spi.StateMachine;
import io.chubby.testkit.Await;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.MemoryStateStore;
import io.chubby.testkit.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The change feed: every applied node change, in log order, with generations and checksums that
 * agree across replicas; a slow listener gets a gap instead of stalling the replica; a snapshot
 * install is a gap.
 */
class ChangeFeedTest {
    private static final int RW = 3;
    private final MutableClock clock = new MutableClock();
    private final CellSettings settings = new CellSettings("c", 1024, 12_000, 60_000, 1_000, 0);

    /** Records what the feed delivers; may be made to block. */
    private static final class Recorder implements ChangeListener {
        final List<NodeChange> changes = new ArrayList<>();
        final List<long[]> gaps = new ArrayList<>();
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile Thread thread;

        @Override
        public void changes(List<NodeChange> batch) {
            thread = Thread.currentThread();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                changes.addAll(batch);
            }
        }

        @Override
        public synchronized void gap(long fromIndex, long toIndex, String reason) {
            gaps.add(new long[] {fromIndex, toIndex, changes.size()});
        }

        synchronized int size() {
            return changes.size();
        }

        synchronized List<NodeChange> copy() {
            return List.copyOf(changes);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, condition);
    }

    private static ByteString write(TestClient c, ByteString h, String v) {
        c.ok(Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(h)
                .setContents(ByteString.copyFromUtf8(v))));
        return h;
    }

    @Test
    void everyKindOfChangeArrivesInLogOrderWithGenerationsAndChecksums() throws InterruptedException {
        CellServer server = new CellServer(new FakeConsensus(), new MemoryStateStore(), settings, clock);
        server.start();
        Recorder rec = new Recorder();
        server.addChangeListener(rec);
        TestClient c = new TestClient(server);
        c.createSession();
        ByteString d = c.handle("/ls/c/d", RW, Create.CREATE_MUST, true, false, null);
        ByteString f = c.handle("/ls/c/d/f", 7, Create.CREATE_MUST, false, false, "one");
        write(c, f, "two");
        c.ok(Request.newBuilder().setSetAcl(SetAclRequest.newBuilder().setHandle(f).setReadAcl("r")
                .setWriteAcl("w").setChangeAcl("a")));
        c.ok(Request.newBuilder().setDelete(DeleteRequest.newBuilder().setHandle(f)));
        await("5 changes", () -> rec.size() == 5);
        List<NodeChange> got = rec.copy();
        assertEquals(List.of(NodeChange.Kind.CREATED, NodeChange.Kind.CREATED, NodeChange.Kind.CONTENTS_CHANGED,
                NodeChange.Kind.ACL_CHANGED, NodeChange.Kind.DELETED), got.stream().map(NodeChange::kind).toList());
        assertEquals(List.of("/d", "/d/f", "/d/f", "/d/f", "/d/f"), got.stream().map(NodeChange::path).toList());
        for (int i = 1; i < got.size(); i++) {
            assertTrue(got.get(i).index() > got.get(i - 1).index(), "log order");
        }
        NodeChange written = got.get(2);
        assertEquals(2, written.contentGeneration());
        assertEquals(io.chubby.cell.internal.state.Hash64.fnv1a("two".getBytes()), written.checksum());
        assertEquals(3, written.size());
        assertEquals(got.get(2).aclGeneration() + 1, got.get(3).aclGeneration());
        assertTrue(got.get(0).directory());
        assertEquals(1, written.epoch());
        assertEquals(server.stateMachine().checksum(), got.get(4).stateChecksum(),
                "the state checksum after the last entry");
        assertTrue(d.size() > 0);
        server.removeChangeListener(rec);
        Thread t = rec.thread;
        t.join(5_000);
        assertTrue(!t.isAlive(), "removing a listener ends its delivery thread");
        server.stop();
    }

    /** Applies every entry the master applies to a second replica's state machine too. */
    private static final class Tee implements StateMachine {
        final StateMachine master;
        final StateMachine follower;

        Tee(StateMachine master, StateMachine follower) {
            this.master = master;
            this.follower = follower;
        }

        @Override
        public long appliedIndex() {
            return master.appliedIndex();
        }

        @Override
        public byte[] apply(long index, long epoch, byte[] command) {
            follower.apply(index, epoch, command);
            return master.apply(index, epoch, command);
        }

        @Override
        public void applyBatchDone() {
            follower.applyBatchDone();
            master.applyBatchDone();
        }

        @Override
        public long checksum() {
            return master.checksum();
        }

        @Override
        public void writeSnapshot(OutputStream out) throws IOException {
            master.writeSnapshot(out);
        }

        @Override
        public void installSnapshot(InputStream in) throws IOException {
            master.installSnapshot(in);
        }

        @Override
        public void makeDurable() {
            master.makeDurable();
        }
    }

    @Test
    void aFollowerSeesTheSameChangesWithTheSameChecksumsAsTheMaster() throws InterruptedException, IOException {
        FakeConsensus followerConsensus = new FakeConsensus();
        followerConsensus.loseMastership(2);
        CellServer follower = new CellServer(followerConsensus, new MemoryStateStore(), settings, clock);
        follower.start();
        FakeConsensus consensus = new FakeConsensus();
        CellServer master = new CellServer(consensus, new MemoryStateStore(), settings, clock);
        master.start();
        ByteArrayOutputStream initialised = new ByteArrayOutputStream();
        master.stateMachine().writeSnapshot(initialised);
        follower.stateMachine().installSnapshot(new ByteArrayInputStream(initialised.toByteArray()));
        consensus.register(new Tee(master.stateMachine(), follower.stateMachine())); // replaces the master's own
        Recorder atMaster = new Recorder();
        Recorder atFollower = new Recorder();
        master.addChangeListener(atMaster);
        follower.addChangeListener(atFollower);
        TestClient c = new TestClient(master);
        c.createSession();
        ByteString f = c.handle("/ls/c/f", RW, Create.CREATE_MUST, false, false, "0");
        for (int i = 1; i <= 200; i++) {
            write(c, f, "v" + i);
        }
        await("201 changes on both", () -> atMaster.size() == 201 && atFollower.size() == 201);
        assertEquals(atMaster.copy(), atFollower.copy(), "same changes, same order, same checksums");
        assertEquals(master.stateMachine().checksum(), follower.stateMachine().checksum());
        master.stop();
        follower.stop();
    }

    @Test
    void aSlowListenerGetsAGapAndNeverStallsTheReplica() throws InterruptedException {
        CellServer server = new CellServer(new FakeConsensus(), new MemoryStateStore(),
                settings.withFeedQueueChanges(10), clock);
        server.start();
        Recorder slow = new Recorder();
        slow.gate = new CountDownLatch(1);
        server.addChangeListener(slow);
        TestClient c = new TestClient(server);
        c.createSession();
        ByteString f = c.handle("/ls/c/f", RW, Create.CREATE_MUST, false, false, "0");
        for (int i = 1; i <= 100; i++) {
            write(c, f, "v" + i); // each returns: applying never waits for the blocked listener
        }
        // InitCell, the takeover's settling entry and CreateSessions come first
        assertEquals(101, server.stateMachine().appliedIndex() - 3, "every write applied while the listener was stuck");
        slow.gate.countDown();
        await("the slow listener was told of a gap", () -> {
            synchronized (slow) {
                return !slow.gaps.isEmpty();
            }
        });
        write(c, f, "after");
        await("delivery resumes after the gap", () -> slow.copy().stream()
                .anyMatch(ch -> ch.checksum() == io.chubby.cell.internal.state.Hash64.fnv1a("after".getBytes())));
        long[] gap = slow.gaps.get(0);
        List<NodeChange> got = slow.copy();
        NodeChange lastBefore = got.get((int) gap[2] - 1);
        assertEquals(lastBefore.index() + 1, gap[0], "the gap starts right after the last change delivered");
        NodeChange firstAfter = got.get((int) gap[2]);
        assertTrue(firstAfter.index() > gap[1], "nothing in the gap is delivered");
        // Before the gap: the batch the listener held when it blocked (at most a queue's worth, since
        // the queue never holds more) and the queue's worth that waited behind it; after: "after".
        assertTrue(gap[2] <= 2 * 10, "at most two queues' worth before the gap, got " + gap[2]);
        assertEquals(gap[2] + 1, got.size(), "after the gap, only the change written after it");
        assertTrue(Long.parseLong(server.statusForTest().getMetricsMap().get("feed_dropped_changes")) > 0);
        server.stop();
    }

    @Test
    void aSnapshotInstallIsReportedAsAGap() throws IOException, InterruptedException {
        CellServer a = new CellServer(new FakeConsensus(), new MemoryStateStore(), settings, clock);
        a.start();
        TestClient c = new TestClient(a);
        c.createSession();
        c.handle("/ls/c/f", RW, Create.CREATE_MUST, false, false, "x");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        a.stateMachine().writeSnapshot(out);
        FakeConsensus lagging = new FakeConsensus();
        lagging.loseMastership(2);
        CellServer b = new CellServer(lagging, new MemoryStateStore(), settings, clock);
        b.start();
        Recorder rec = new Recorder();
        b.addChangeListener(rec);
        b.stateMachine().installSnapshot(new ByteArrayInputStream(out.toByteArray()));
        await("a gap", () -> {
            synchronized (rec) {
                return rec.gaps.size() == 1;
            }
        });
        assertEquals(1, rec.gaps.get(0)[0]);
        assertEquals(a.stateMachine().appliedIndex(), rec.gaps.get(0)[1]);
        a.stop();
        b.stop();
    }
}
