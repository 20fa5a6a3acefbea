package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.ConsensusStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PaxosReplicaTest {

    private static byte[] cmd(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Proposes n commands at once (pipelined) and waits for all; returns the last index. */
    private static long commitAll(PaxosReplica master, String prefix, int n) throws Exception {
        List<CompletableFuture<byte[]>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(master.propose(cmd(prefix + i)));
        }
        long last = 0;
        for (CompletableFuture<byte[]> f : fs) {
            last = Math.max(last, ByteBuffer.wrap(f.get(20, TimeUnit.SECONDS)).getLong());
        }
        return last;
    }

    private static void assertSameState(TestCell cell, long index) {
        cell.awaitApplied(index, 10_000);
        TestCell.await(10_000, "equal applied index", () -> cell.replicas.keySet().stream()
                .map(id -> cell.machines.get(id).applied()).distinct().count() == 1);
        List<Long> sums = new ArrayList<>();
        for (int id : cell.replicas.keySet()) {
            ConsensusStatus st = cell.replicas.get(id).status();
            TestCell.await(2000, "published status", () -> cell.replicas.get(id).status().appliedIndex()
                    == cell.machines.get(id).applied());
            sums.add(cell.replicas.get(id).status().checksum());
            assertEquals(id, st.replicaId());
        }
        assertEquals(1, sums.stream().distinct().count(), "checksums " + sums);
    }

    @Test
    void singleReplicaElectsItselfAndCommits() throws Exception {
        try (TestCell cell = new TestCell(1)) {
            PaxosReplica m = cell.awaitMaster(5000);
            assertEquals(1, m.masterId());
            assertTrue(m.epoch() > 0);
            long last = commitAll(m, "solo-", 50);
            cell.awaitApplied(last, 2000);
            assertEquals(last, cell.machines.get(1).applied());
            ConsensusStatus st = m.status();
            assertEquals("master", st.role());
            assertTrue(st.leaseValid());
            assertTrue(cell.events.contains("1:became:" + m.epoch()));
        }
    }

    @Test
    void threeReplicasCommitAThousandWithIdenticalState() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            cell.stores.values().forEach(st -> st.fsyncLatency(2000)); // 2 ms per fsync
            PaxosReplica m = cell.awaitMaster(5000);
            int syncsBefore = cell.stores.get(m.self().id()).syncedWrites();
            long last = commitAll(m, "cmd-", 1000);
            assertSameState(cell, last);
            int masterId = m.self().id();
            for (int id = 1; id <= 3; id++) {
                int i = id;
                TestCell.await(2000, "master known", () -> cell.replicas.get(i).masterId() == masterId);
                assertEquals(m.epoch(), cell.replicas.get(id).epoch());
            }
            assertTrue(cell.events.contains(masterId + ":became:" + m.epoch()));
            assertTrue(cell.onLoopThread, "listeners run on the loop thread");
            // Group commit: entries that queue up during one fsync share the next one.
            int syncs = cell.stores.get(masterId).syncedWrites() - syncsBefore;
            assertTrue(syncs < 100, "master fsyncs for 1000 entries: " + syncs);
        }
    }

    /**
     * CORE-API.md step 0: the master's Accepts leave before its own fsync of the same entries (the
     * followers' fsyncs overlap it), while no Accepted answer leaves a follower before the fsync of
     * what it acknowledges.
     */
    @Test
    void acceptsLeaveBeforeTheMastersFsyncAndAnswersOnlyAfterTheirs() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            PaxosReplica m = cell.awaitMaster(5000);
            int master = m.self().id();
            java.util.Map<Integer, List<String>> order = new java.util.concurrent.ConcurrentHashMap<>();
            for (int id = 1; id <= 3; id++) {
                List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
                order.put(id, events);
                cell.stores.get(id).onSyncedWrite(last -> events.add("synced " + last));
            }
            cell.net.onSend((from, bytes) -> {
                if (PeerCodec.decode(bytes) instanceof PeerCodec.CoreMessage cm) {
                    if (cm.message() instanceof io.chubby.paxos.core.Message.Accept a && !a.entries().isEmpty()) {
                        order.get(from).add("accept " + a.entries().get(a.entries().size() - 1).index());
                    } else if (cm.message() instanceof io.chubby.paxos.core.Message.Accepted a) {
                        order.get(from).add("accepted " + a.lastIndex());
                    }
                }
            });
            long last = commitAll(m, "order-", 20);
            cell.awaitApplied(last, 5000);
            cell.net.onSend((from, bytes) -> { });

            List<String> mine = new ArrayList<>(order.get(master));
            int early = 0;
            for (int i = 0; i < mine.size(); i++) {
                if (mine.get(i).startsWith("accept ")) {
                    long index = Long.parseLong(mine.get(i).substring(7));
                    int synced = mine.indexOf("synced " + index);
                    assertTrue(synced >= 0, "the master synced entry " + index + ": " + mine);
                    early += synced > i ? 1 : 0;
                }
            }
            assertTrue(early > 0, "some Accept left before the master's fsync of it: " + mine);
            for (int id = 1; id <= 3; id++) {
                List<String> events = new ArrayList<>(order.get(id));
                long durable = 0;
                for (String e : events) {
                    if (e.startsWith("synced ")) {
                        durable = Math.max(durable, Long.parseLong(e.substring(7)));
                    } else if (e.startsWith("accepted ")) {
                        long acked = Long.parseLong(e.substring(9));
                        assertTrue(acked <= durable, "replica " + id + " acknowledged " + acked
                                + " with only " + durable + " durable: " + events);
                    }
                }
            }
        }
    }

    /**
     * Replicas compact at different indexes (members sorted by id; first compaction at
     * every * (1 - position / n)): all of them pausing at the same index would stall the lease.
     */
    @Test
    void replicasCompactAtStaggeredIndexes() throws Exception {
        try (TestCell cell = new TestCell(3, 90, 5)) {
            PaxosReplica m = cell.awaitMaster(5000);
            long last = 0;
            for (int i = 0; i < 45; i++) {
                last = commitAll(m, "stagger-a" + i + "-", 1); // one entry per round: compaction checks each
            }
            cell.awaitApplied(last, 5000);
            // positions 0, 1, 2 -> first compaction at 90, 60 and 30 applied entries
            TestCell.await(5000, "replica 3 compacted", () -> cell.stores.get(3).firstIndex() > 1);
            assertEquals(1, cell.stores.get(1).firstIndex(), "replica 1 compacts later");
            assertEquals(1, cell.stores.get(2).firstIndex(), "replica 2 compacts later");
            for (int i = 0; i < 30; i++) {
                last = commitAll(m, "stagger-b" + i + "-", 1);
            }
            cell.awaitApplied(last, 5000);
            TestCell.await(5000, "replica 2 compacted", () -> cell.stores.get(2).firstIndex() > 1);
            assertEquals(1, cell.stores.get(1).firstIndex(), "replica 1 compacts last");
            assertSameState(cell, last);
        }
    }

    @Test
    void proposalOnNonMasterFailsWithNotMaster() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            PaxosReplica m = cell.awaitMaster(5000);
            commitAll(m, "x", 1);
            PaxosReplica follower = cell.replicas.values().stream().filter(r -> r != m).findFirst().orElseThrow();
            assertFalse(follower.isMaster());
            CompletableFuture<byte[]> f = follower.propose(cmd("nope"));
            assertTrue(f.isDone(), "fails at once");
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f::get);
            assertInstanceOf(ChubbyException.class, e.getCause());
            assertEquals(ErrorCode.NOT_MASTER, ((ChubbyException) e.getCause()).code());
        }
    }

    @Test
    void stoppingTheMasterElectsANewOneWithLargerEpoch() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            PaxosReplica m1 = cell.awaitMaster(5000);
            long epoch1 = m1.epoch();
            commitAll(m1, "a", 100);
            cell.stop(m1.self().id());
            PaxosReplica m2 = cell.awaitMaster(5000);
            assertNotEquals(m1.self().id(), m2.self().id());
            assertTrue(m2.epoch() > epoch1, m2.epoch() + " > " + epoch1);
            long last = commitAll(m2, "b", 100);
            assertSameState(cell, last);
        }
    }

    @Test
    void restartedReplicaCatchesUpFromItsOwnDisk() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            PaxosReplica m = cell.awaitMaster(5000);
            commitAll(m, "a", 200);
            int victim = cell.replicas.keySet().stream().filter(id -> id != m.self().id()).findFirst().orElseThrow();
            LedgerStateMachine before = cell.machines.get(victim);
            cell.stop(victim);
            long last = commitAll(m, "b", 300);
            // Restart on the same log; the state machine comes back as of its last durable point.
            cell.start(victim, before.recoverDurable());
            assertSameState(cell, last);
            long more = commitAll(m, "c", 50);
            assertSameState(cell, more);
        }
    }

    @Test
    void replicaThatMissedCompactedEntriesInstallsSnapshot() throws Exception {
        try (TestCell cell = new TestCell(3, 100, 10)) {
            PaxosReplica m = cell.awaitMaster(5000);
            commitAll(m, "a", 20);
            int lagger = cell.replicas.keySet().stream().filter(id -> id != m.self().id()).findFirst().orElseThrow();
            cell.net.isolate(lagger);
            long last = commitAll(m, "b", 500);
            int masterId = m.self().id();
            TestCell.await(5000, "master log compacted",
                    () -> cell.stores.get(masterId).firstIndex() > cell.machines.get(lagger).applied() + 1);
            cell.net.heal();
            assertSameState(cell, last);
            // Installed a snapshot (not replayed the log): its own log no longer holds the early entries.
            assertEquals(null, cell.stores.get(lagger).entry(5));
            assertTrue(cell.stores.get(lagger).firstIndex() == 0 || cell.stores.get(lagger).firstIndex() > 20);
            long more = commitAll(m, "c", 20);
            assertSameState(cell, more);
        }
    }

    /**
     * A replica cut off for longer than the lease asks for pre-votes (CORE-API.md "When may a
     * replica start an election"), which nobody grants while the master's lease holds, so it never
     * raises its ballot; after healing it rejoins through a snapshot and the master keeps its epoch.
     */
    @Test
    void laggerIsolatedLongerThanTheLeaseRejoinsThroughSnapshotWithoutDisturbingTheMaster() throws Exception {
        try (TestCell cell = new TestCell(3, 100, 10)) {
            PaxosReplica m = cell.awaitMaster(5000);
            long epoch = m.epoch();
            commitAll(m, "a", 20);
            int lagger = cell.replicas.keySet().stream().filter(id -> id != m.self().id()).findFirst().orElseThrow();
            java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();
            cell.net.onSend((from, bytes) -> {
                if (from == lagger && PeerCodec.decode(bytes) instanceof PeerCodec.CoreMessage cm
                        && cm.message() instanceof io.chubby.paxos.core.Message.PreVote) {
                    polls.incrementAndGet();
                }
            });
            cell.net.isolate(lagger);
            commitAll(m, "b", 300);
            // the lagger's lease promise lapses: it asks for pre-votes, several rounds, and stays a replica
            TestCell.await(10_000, "the isolated lagger asks for pre-votes", () -> polls.get() >= 4);
            assertEquals("replica", cell.replicas.get(lagger).status().role());
            cell.net.heal();
            long last = commitAll(m, "c", 10);
            assertSameState(cell, last);
            assertEquals(epoch, m.epoch(), "the master kept its epoch");
            assertTrue(m.isMaster());
            cell.net.onSend((from, bytes) -> { });
        }
    }

    @Test
    void isolatedMasterStopsServingAndFailsItsPendingProposals() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            PaxosReplica old = cell.awaitMaster(5000);
            long oldEpoch = old.epoch();
            int oldId = old.self().id();
            commitAll(old, "a", 10);
            cell.net.isolate(oldId);
            CompletableFuture<byte[]> stranded = old.propose(cmd("stranded"));
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> stranded.get(10, TimeUnit.SECONDS));
            assertEquals(ErrorCode.NOT_MASTER, ((ChubbyException) e.getCause()).code());
            TestCell.await(5000, "old master stops serving", () -> !old.isMaster());
            TestCell.await(5000, "lostMastership event", () -> cell.events.contains(oldId + ":lost:" + oldEpoch));
            PaxosReplica fresh = cell.awaitMaster(5000);
            assertNotEquals(oldId, fresh.self().id());
            assertTrue(fresh.epoch() > oldEpoch);
            cell.net.heal();
            long last = commitAll(fresh, "b", 10);
            assertSameState(cell, last);
            assertFalse(old.isMaster());
            assertEquals(fresh.self().id(), old.masterId());
        }
    }

    /**
     * tools/faults FaultInjectionThroughProxiesIT (seed 20261204): a partitioned master whose lease
     * had lapsed while its Paxos role was still master refused a proposal with NOT_MASTER "replica 5
     * is not master (master is 5)"; session-mgr reports a failed proposal's NOT_MASTER as
     * OUTCOME_UNKNOWN, though nothing was proposed. Such a refusal is CELL_UNAVAILABLE (nothing
     * applied, retried by clients) and never names the refusing replica as the master.
     */
    @Test
    void masterWhoseLeaseLapsedRefusesAsNotProposedWithoutNamingItself() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            PaxosReplica old = cell.awaitMaster(5000);
            int oldId = old.self().id();
            commitAll(old, "a", 10);
            cell.net.isolate(oldId);
            TestCell.await(5000, "the isolated master's lease lapses", () -> !old.isMaster());
            String roleBefore = old.status().role();
            CompletableFuture<byte[]> refused = old.propose(cmd("refused"));
            String roleAfter = old.status().role();
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> refused.get(5, TimeUnit.SECONDS));
            ChubbyException refusal = (ChubbyException) e.getCause();
            assertEquals("master", roleBefore, "still master by role (it steps down a lease later)");
            assertEquals("master", roleAfter, "still master by role (it steps down a lease later)");
            assertEquals(ErrorCode.CELL_UNAVAILABLE, refusal.code(), refusal.getMessage());
            assertFalse(refusal.getMessage().contains("master is " + oldId), refusal.getMessage());
        }
    }

    @Test
    void fiveReplicasKeepCommittingWithTwoDown() throws Exception {
        try (TestCell cell = new TestCell(5)) {
            PaxosReplica m1 = cell.awaitMaster(5000);
            commitAll(m1, "a", 200);
            int follower = cell.replicas.keySet().stream().filter(id -> id != m1.self().id()).findFirst().orElseThrow();
            cell.stop(follower);
            cell.stop(m1.self().id());
            PaxosReplica m2 = cell.awaitMaster(5000);
            assertTrue(m2.epoch() > m1.epoch());
            long last = commitAll(m2, "b", 200);
            assertSameState(cell, last);
        }
    }

    @Test
    void wholeCellRestartsFromDiskWithLargerEpoch() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            PaxosReplica m1 = cell.awaitMaster(5000);
            long epoch1 = m1.epoch();
            long last = commitAll(m1, "a", 100);
            assertSameState(cell, last);
            long sum = cell.machines.get(1).checksumAt(last);
            for (int id = 1; id <= 3; id++) {
                cell.stop(id);
            }
            for (int id = 1; id <= 3; id++) {
                // Nothing was made durable (no compaction yet): every entry is re-applied from the log.
                cell.start(id, cell.machines.get(id).recoverDurable());
            }
            PaxosReplica m2 = cell.awaitMaster(5000);
            assertTrue(m2.epoch() > epoch1, "epochs only grow across restarts (promised ballot recovered)");
            assertSameState(cell, last);
            for (int id = 1; id <= 3; id++) {
                assertEquals(sum, cell.machines.get(id).checksumAt(last), "replica " + id + " re-applied the same state");
            }
            long more = commitAll(m2, "b", 50);
            assertSameState(cell, more);
        }
    }

    @Test
    void listenerMayProposeFromBecameMaster() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            CompletableFuture<CompletableFuture<byte[]>> fromListener = new CompletableFuture<>();
            for (PaxosReplica r : cell.replicas.values()) {
                r.addListener(new io.chubby.spi.ConsensusListener() {
                    @Override
                    public void becameMaster(long epoch) {
                        fromListener.complete(r.propose(cmd("takeover " + epoch))); // must not block here
                    }

                    @Override
                    public void lostMastership(long epoch) {
                    }
                });
            }
            PaxosReplica m = cell.awaitMaster(5000);
            long index = ByteBuffer.wrap(fromListener.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS)).getLong();
            assertTrue(index > 1, "applied after the barrier entry");
            assertSameState(cell, index);
            assertTrue(m.isMaster());
        }
    }
}
