package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusGroups;
import io.chubby.spi.ConsensusStatus;
import io.chubby.testkit.MemoryLogStores;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One loop per replica driving several Paxos groups (docs/PARTITIONING.md step 3). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GroupHostTest {

    private static byte[] cmd(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The step's acceptance: 3 replicas x 4 groups x 1,000 pipelined proposals. Every group ends
     * with equal state on every replica, no group applies another's commands, and every replica
     * wrote its log with at most one combined write (one fsync) per loop pass; groups shared
     * writes (more batches than writes).
     */
    @Test
    void threeReplicasFourGroupsAThousandProposalsEach() throws Exception {
        try (GroupCell cell = new GroupCell(3, 4)) {
            cell.stores.values().forEach(s -> s.fsyncLatency(2000)); // 2 ms per fsync
            List<CompletableFuture<byte[]>> all = new ArrayList<>();
            Map<Integer, Consensus> masters = new ConcurrentHashMap<>();
            for (int g = 0; g < 4; g++) {
                masters.put(g, cell.awaitMaster(g, 10_000));
            }
            for (int i = 0; i < 1000; i++) {
                for (int g = 0; g < 4; g++) {
                    all.add(masters.get(g).propose(cmd("g" + g + "-" + i)));
                }
            }
            long[] last = new long[4];
            for (int k = 0; k < all.size(); k++) {
                long index = ByteBuffer.wrap(all.get(k).get(30, TimeUnit.SECONDS)).getLong();
                last[k % 4] = Math.max(last[k % 4], index);
            }
            Set<Long> groupSums = new HashSet<>();
            for (int g = 0; g < 4; g++) {
                int group = g;
                TestCell.await(10_000, "every replica applied group " + g + " through " + last[g],
                        () -> cell.replicas.keySet().stream().allMatch(id -> cell.machine(id, group).applied()
                                >= last[group]));
                Set<Long> sums = new HashSet<>();
                for (int id : cell.replicas.keySet()) {
                    LedgerStateMachine m = cell.machine(id, g);
                    assertEquals(last[g], m.applied(), "replica " + id + " group " + g);
                    sums.add(m.publishedChecksum());
                    TestCell.await(2000, "published status", () -> cell.consensus(id, group).status().appliedIndex()
                            == last[group]);
                    ConsensusStatus st = cell.consensus(id, g).status();
                    assertEquals(g, st.group());
                    assertEquals(m.publishedChecksum(), st.checksum());
                    for (byte[] c : m.commands()) {
                        assertTrue(c.length == 0 || new String(c, StandardCharsets.UTF_8).startsWith("g" + g + "-"),
                                "group " + g + " applied " + new String(c, StandardCharsets.UTF_8));
                    }
                }
                assertEquals(1, sums.size(), "checksums of group " + g + " " + sums);
                groupSums.addAll(sums);
            }
            assertEquals(4, groupSums.size(), "four different states");
            for (int id : cell.replicas.keySet()) {
                MemoryLogStores s = cell.stores.get(id);
                GroupHost host = cell.replicas.get(id).host();
                long passes = host.passes();
                assertTrue(s.writeAllCalls() <= passes, "replica " + id + ": " + s.writeAllCalls()
                        + " combined writes in " + passes + " passes");
                assertTrue(s.syncedWrites() <= passes, "replica " + id + ": " + s.syncedWrites()
                        + " fsyncs in " + passes + " passes");
                assertEquals(s.writeAllCalls(), host.writes(), "every log write of replica " + id
                        + " is a combined one");
                assertTrue(s.batchesWritten() > s.writeAllCalls(), "groups shared writes on replica " + id + ": "
                        + s.batchesWritten() + " batches in " + s.writeAllCalls() + " writes");
                System.out.printf("replica %d: %d passes, %d combined writes, %d fsyncs, %d group batches%n", id,
                        passes, s.writeAllCalls(), s.syncedWrites(), s.batchesWritten());
            }
        }
    }

    @Test
    void groupsElectAndServeIndependentlyAndReportTheirGroup() throws Exception {
        try (GroupCell cell = new GroupCell(3, 2)) {
            Consensus m0 = cell.awaitMaster(0, 10_000);
            Consensus m1 = cell.awaitMaster(1, 10_000);
            m1.propose(cmd("g1-only")).get(10, TimeUnit.SECONDS);
            int id = m1.self().id();
            TestCell.await(5000, "group 1 applied everywhere", () -> cell.replicas.keySet().stream()
                    .allMatch(r -> cell.machine(r, 1).applied() >= cell.machine(id, 1).applied()));
            assertEquals(1, cell.consensus(id, 1).status().group());
            assertEquals(0, cell.replicas.get(id).status().group());
            // the group-0 face of the replica is group 0 of the host
            assertEquals(m0.epoch(), cell.consensus(m0.self().id(), 0).epoch());
            assertEquals(cell.replicas.get(m0.self().id()).epoch(), m0.epoch());
            // a follower of group 1 refuses at once
            int follower = cell.replicas.keySet().stream().filter(r -> r != id).findFirst().orElseThrow();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> cell.consensus(follower, 1).propose(cmd("x")).get(5, TimeUnit.SECONDS));
            assertEquals(ErrorCode.NOT_MASTER, assertInstanceOf(ChubbyException.class, e.getCause()).code());
        }
    }

    @Test
    void openCloseAndOpened() throws Exception {
        try (GroupCell cell = new GroupCell(1, 1)) {
            ConsensusGroups groups = cell.replicas.get(1).groups();
            assertEquals(List.of(0), groups.opened());
            Consensus g3 = groups.open(3);
            assertSame(g3, groups.open(3));
            assertEquals(List.of(0, 3), groups.opened());
            assertThrows(IllegalArgumentException.class, () -> groups.open(-1));
            assertThrows(IllegalArgumentException.class, () -> groups.open(4096));
            assertThrows(IllegalArgumentException.class, () -> groups.close(0));
            LedgerStateMachine m = new LedgerStateMachine();
            g3.register(m);
            TestCell.await(5000, "group 3 master", g3::isMaster);
            g3.propose(cmd("a")).get(5, TimeUnit.SECONDS);
            assertTrue(cell.stores.get(1).group(3).lastIndex() >= 1, "group 3's log is its own");
            long epochBefore = g3.epoch();
            groups.close(3);
            assertEquals(List.of(0), groups.opened());
            assertFalse(g3.isMaster());
            TestCell.await(5000, "group 0 still serves", () -> cell.replicas.get(1).isMaster());
            // reopened from its own log: the new node starts from the promised ballot and log on disk
            Consensus again = groups.open(3);
            assertNotEquals(g3, again);
            LedgerStateMachine fresh = new LedgerStateMachine();
            again.register(fresh);
            TestCell.await(5000, "group 3 master again", again::isMaster);
            long before = m.applied();
            TestCell.await(5000, "group 3 re-applied from its log", () -> fresh.applied() >= before);
            assertEquals(m.checksumAt(before), fresh.checksumAt(before), "same state at the same index");
            assertTrue(again.epoch() > epochBefore, "a new epoch after reopening");
        }
    }

    @Test
    void aReplicaBuiltFromOneLogStoreHostsGroupZeroOnly() {
        try (TestCell cell = new TestCell(1)) {
            ConsensusGroups groups = cell.replicas.get(1).groups();
            assertSame(groups.open(0), groups.open(0));
            assertThrows(IllegalArgumentException.class, () -> groups.open(1));
            assertEquals(List.of(0), groups.opened());
        }
    }

    /** Group 0 keeps today's stagger over replicas; the groups of one replica start their counts apart. */
    @Test
    void compactionsAreStaggeredOverReplicasAndGroups() {
        for (int p = 0; p < 5; p++) {
            assertEquals(10_000L * p / 5, PaxosGroup.compactionOffset(10_000, p, 5, 0));
        }
        for (int p = 0; p < 3; p++) {
            List<Long> offsets = new ArrayList<>();
            for (int g = 0; g < 8; g++) {
                long o = PaxosGroup.compactionOffset(10_000, p, 3, g);
                assertTrue(o >= 0 && o < 10_000, "offset " + o);
                offsets.add(o);
            }
            offsets.sort(null);
            for (int i = 1; i < offsets.size(); i++) {
                assertTrue(offsets.get(i) - offsets.get(i - 1) >= 500, "replica position " + p + ": " + offsets);
            }
        }
    }

    /** A message for a group this replica has not opened is dropped like one for a replica that is down. */
    @Test
    void messagesOfGroupsNotOpenHereAreDropped() throws Exception {
        try (GroupCell cell = new GroupCell(3, 1)) {
            Consensus g2 = cell.replicas.get(1).groups().open(2);
            LedgerStateMachine m = new LedgerStateMachine();
            g2.register(m);
            Thread.sleep(2500); // three leases: alone in group 2, replica 1 cannot win a majority
            assertFalse(g2.isMaster());
            assertEquals(0, g2.masterId());
            assertEquals(0, cell.awaitMaster(0, 10_000).status().group(), "group 0 unaffected");
        }
    }
}
