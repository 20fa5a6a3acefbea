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
