package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.paxos.core.Configuration;
import io.chubby.spi.Member;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Changing the members of a running group through the edge (issue 19): a configuration entry
 * with its address book, applied as a no-op, recorded in the log store's meta, recovered at restart
 * and carried by snapshots.
 */
@Timeout(120)
class MemberChangeTest {

    @Test
    void removingAReplicaIsANoOpForTheStateMachineAndEveryMemberShowsTheNewBook() throws Exception {
        try (TestCell cell = new TestCell(3, 100, 10)) {
            PaxosReplica m = cell.awaitMaster(5000);
            commitAll(m, "a", 20);
            int removed = otherThan(cell, m.self().id(), -1);
            List<Member> next = without(cell.members, removed);

            m.host().proposeMembers(0, next).get(10, TimeUnit.SECONDS);

            for (int id : cell.replicas.keySet()) {
                if (id != removed) {
                    TestCell.await(5000, "replica " + id + " shows the new members",
                            () -> cell.replicas.get(id).members().equals(next));
                }
            }
            java.util.Set<Integer> nextIds = java.util.Set.copyOf(next.stream().map(Member::id).toList());
            for (int id : nextIds) {
                TestCell.await(5000, "replica " + id + "'s peer links follow the members",
                        () -> nextIds.equals(cell.net.linked(id)));
            }
            long last = commitAll(m, "b", 300); // a cell of two commits on: both of them needed
            assertSameState(cell, List.copyOf(next.stream().map(Member::id).toList()), last);
            byte[] recorded = new ConfigurationHistory(cell.stores.get(m.self().id())).atOrBelow(last);
            assertEquals(next, AddressBook.members(recorded), "recorded in the master's log store meta");

            // A restart at the durable point (past the change) starts from the recorded configuration.
            int follower = otherThan(cell, m.self().id(), removed);
            LedgerStateMachine durable = cell.machines.get(follower).recoverDurable();
            assertTrue(durable.appliedIndex() > 20, "compaction made a point past the change durable");
            cell.stop(follower);
            cell.start(follower, durable);
            assertEquals(next, cell.replicas.get(follower).members());
            long more = commitAll(m, "c", 20);
            assertSameState(cell, List.copyOf(next.stream().map(Member::id).toList()), more);
        }
    }

    @Test
    void aLaggingMemberLearnsTheConfigurationFromTheSnapshot() throws Exception {
        try (TestCell cell = new TestCell(5, 100, 10)) {
            PaxosReplica m = cell.awaitMaster(5000);
            commitAll(m, "a", 20);
            int lagger = otherThan(cell, m.self().id(), -1);
            int removed = otherThan(cell, m.self().id(), lagger);
            cell.net.isolate(lagger);
            List<Member> next = without(cell.members, removed);
            m.host().proposeMembers(0, next).get(10, TimeUnit.SECONDS);
            long last = commitAll(m, "b", 500);
            int masterId = m.self().id();
            TestCell.await(5000, "master log compacted past the change",
                    () -> cell.stores.get(masterId).firstIndex() > 40);
            cell.net.heal();

            List<Integer> ids = next.stream().map(Member::id).toList();
            assertSameState(cell, ids, last);
            assertEquals(null, cell.stores.get(lagger).entry(5), "caught up by a snapshot, not the log");
            assertEquals(next, cell.replicas.get(lagger).members());
            byte[] recorded = new ConfigurationHistory(cell.stores.get(lagger)).atOrBelow(Long.MAX_VALUE);
            assertEquals(Configuration.of(ids), Configuration.decode(recorded));
            long more = commitAll(m, "c", 20);
            assertSameState(cell, ids, more);
        }
    }

    @Test
    void aChangeMoreThanOneReplicaApartIsRefusedAndNothingIsProposed() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            PaxosReplica m = cell.awaitMaster(5000);
            commitAll(m, "a", 5);
            List<Member> two = without(without(cell.members, otherThan(cell, m.self().id(), -1)),
                    otherThan(cell, m.self().id(), otherThan(cell, m.self().id(), -1)));
            CompletableFuture<byte[]> f = m.host().proposeMembers(0, two);
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("not one replica apart"), e.getCause().getMessage());
            assertEquals(cell.members, m.members());
            long last = commitAll(m, "b", 5);
            assertSameState(cell, List.of(1, 2, 3), last);
        }
    }

    /**
     * A replica that joins (empty disk, {@code paxos.join}) waits as a non-member, is added through
     * the master as a learner until caught up and then by a configuration entry, and serves as a
     * member; then an old one is removed (a replace: add the new, remove the old).
     */
    @Test
    void aJoiningReplicaIsAddedOnceCaughtUpThenAnOldOneIsRemoved() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            PaxosReplica m = cell.awaitMaster(5000);
            commitAll(m, "a", 300);
            Member four = new Member(4, "127.0.0.1", 7004, 7104);
            List<Member> five = new ArrayList<>(cell.members);
            five.add(four);
            PaxosReplica joiner = join(cell, four, five);
            Thread.sleep(1500); // two leases: a replica with no configuration never campaigns
            assertTrue(cell.events.stream().noneMatch(e -> e.startsWith("4:became")), cell.events.toString());
            assertEquals(cell.members, m.members());

            String added = new PaxosCommands(m.host()).member("add", "4", "127.0.0.1:7104", "127.0.0.1:7004");
            assertTrue(added.contains("replica 4 added") && added.contains("[1, 2, 3, 4]"), added);
            long last = commitAll(m, "b", 100);
            assertSameState(cell, List.of(1, 2, 3, 4), last);
            assertEquals(five, joiner.members());

            int old = otherThan(cell, m.self().id(), 4);
            String removed = new PaxosCommands(m.host()).member("remove", String.valueOf(old));
            assertTrue(removed.contains("replica " + old + " removed"), removed);
            List<Integer> now = five.stream().map(Member::id).filter(id -> id != old).toList();
            long more = commitAll(m, "c", 100);
            assertSameState(cell, now, more);
            String listed = new PaxosCommands(m.host()).members();
            assertTrue(listed.contains("4 peer 127.0.0.1:7104 client 127.0.0.1:7004"), listed);
            assertTrue(!listed.contains("\n  " + old + " peer"), listed);
        }
    }

    /**
     * A master that removes itself stops serving once the entry is written (CORE-API.md rule 7) but
     * keeps the change's future until the entry commits: the command reports the removal (it once
     * failed with "lost mastership" although the change was applied: MembershipIT), and a member of
     * the new configuration takes over.
     */
    @Test
    void aMasterThatRemovesItselfReportsTheRemovalAndHandsOver() throws Exception {
        try (TestCell cell = new TestCell(4)) {
            PaxosReplica m = cell.awaitMaster(5000);
            commitAll(m, "a", 50);
            int self = m.self().id();
            String removed = new PaxosCommands(m.host()).member("remove", String.valueOf(self));
            assertTrue(removed.contains("replica " + self + " removed"), removed);
            List<Integer> now = cell.members.stream().map(Member::id).filter(id -> id != self).toList();
            PaxosReplica[] next = new PaxosReplica[1];
            TestCell.await(5000, "a member of the new configuration serves", () -> {
                next[0] = now.stream().map(cell.replicas::get).filter(PaxosReplica::isMaster).findFirst().orElse(null);
                return next[0] != null;
            });
            assertTrue(!m.isMaster(), "the removed master does not serve");
            long more = commitAll(next[0], "b", 50);
            assertSameState(cell, now, more);
        }
    }

    @Test
    void addingAReplicaThatNeverCatchesUpIsGivenUpAndChangesNothing() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            PaxosReplica m = cell.awaitMaster(5000);
            commitAll(m, "a", 5);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new MemberChanges(m.host()).addMember(0, new Member(9, "127.0.0.1", 7009, 7109), 500));
            assertTrue(e.getMessage().contains("did not catch up within 500 ms"), e.getMessage());
            assertEquals(cell.members, m.members());
            // the links follow the members at the end of the loop pass that gave the learner up,
            // which may come just after the failed future reached this thread
            TestCell.await(5000, "the learner's link is closed",
                    () -> java.util.Set.of(1, 2, 3).equals(cell.net.linked(m.self().id())));
            IllegalStateException notMaster = assertThrows(IllegalStateException.class, () -> new MemberChanges(
                    cell.replicas.get(otherThan(cell, m.self().id(), -1)).host()).addMember(0, new Member(9, "h", 1, 2),
                    500));
            assertTrue(notMaster.getMessage().contains("ask the master"), notMaster.getMessage());
        }
    }

    /** Starts replica {@code m} joining the cell: it knows {@code book}, holds nothing, has no configuration. */
    private static PaxosReplica join(TestCell cell, Member m, List<Member> book) {
        ReplicaSettings s = new ReplicaSettings(m.id(), book, "test", 800, 250, 0.01, 5, 1000, 10_000, 1000);
        io.chubby.testkit.MemoryLogStore store = new io.chubby.testkit.MemoryLogStore();
        PaxosReplica r = new PaxosReplica(s, store, cell.net.transport(m.id()), () -> System.nanoTime() / 1_000_000,
                m.id() * 7919L);
        r.host().joining(true);
        r.addListener(new io.chubby.spi.ConsensusListener() {
            @Override
            public void becameMaster(long epoch) {
                cell.events.add(m.id() + ":became:" + epoch);
            }

            @Override
            public void lostMastership(long epoch) {
                cell.events.add(m.id() + ":lost:" + epoch);
            }
        });
        LedgerStateMachine machine = new LedgerStateMachine();
        r.register(machine);
        cell.stores.put(m.id(), store);
        cell.machines.put(m.id(), machine);
        cell.replicas.put(m.id(), r);
        return r;
    }

    private static int otherThan(TestCell cell, int a, int b) {
        return cell.replicas.keySet().stream().filter(id -> id != a && id != b).sorted().findFirst().orElseThrow();
    }

    private static List<Member> without(List<Member> members, int id) {
        return members.stream().filter(x -> x.id() != id).toList();
    }

    private static long commitAll(PaxosReplica master, String prefix, int n) throws Exception {
        List<CompletableFuture<byte[]>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(master.propose((prefix + i).getBytes(StandardCharsets.UTF_8)));
        }
        long last = 0;
        for (CompletableFuture<byte[]> f : fs) {
            last = Math.max(last, ByteBuffer.wrap(f.get(20, TimeUnit.SECONDS)).getLong());
        }
        return last;
    }

    /** Every replica of {@code ids} applied {@code index} with the same applied index and checksum. */
    private static void assertSameState(TestCell cell, List<Integer> ids, long index) {
        TestCell.await(10_000, "members applied " + index, () -> ids.stream()
                .allMatch(id -> cell.machines.get(id).applied() >= index));
        TestCell.await(10_000, "equal applied index and checksum", () -> ids.stream()
                .map(id -> cell.replicas.get(id).status())
                .map(st -> st.appliedIndex() + ":" + st.checksum()).distinct().count() == 1);
    }
}
