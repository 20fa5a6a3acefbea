package io.chubby.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.ConsensusListener;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.Member;
import io.chubby.spi.StateMachine;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FakeConsensusTest {
    /** Records what is applied (index, epoch, command, thread) and answers "ok:" + command. */
    private static final class Ledger implements StateMachine {
        final List<String> applied = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        int batches;
        long index;

        @Override
        public long appliedIndex() {
            return index;
        }

        @Override
        public byte[] apply(long i, long epoch, byte[] command) {
            assertEquals(index + 1, i, "entries are applied in order without gaps");
            index = i;
            String c = new String(command, StandardCharsets.UTF_8);
            applied.add(i + "@" + epoch + ":" + c);
            threads.add(Thread.currentThread());
            return ("ok:" + c).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void applyBatchDone() {
            batches++;
        }

        @Override
        public long checksum() {
            return index * 31;
        }

        @Override
        public void writeSnapshot(OutputStream out) {
        }

        @Override
        public void installSnapshot(InputStream in) {
        }

        @Override
        public void makeDurable() {
        }
    }

    /** Records listener calls as text. */
    private static final class Calls implements ConsensusListener {
        final List<String> calls = new ArrayList<>();

        @Override
        public void becameMaster(long epoch) {
            calls.add("became " + epoch);
        }

        @Override
        public void lostMastership(long epoch) {
            calls.add("lost " + epoch);
        }

        @Override
        public void masterChanged(int masterId, long epoch) {
            calls.add("changed " + masterId + "@" + epoch);
        }
    }

    private final FakeConsensus consensus = new FakeConsensus();
    private final Ledger ledger = new Ledger();
    private final Calls calls = new Calls();

    FakeConsensusTest() {
        consensus.register(ledger);
        consensus.addListener(calls);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(CompletableFuture<byte[]> f) {
        assertTrue(f.isDone(), "completed");
        return new String(f.join(), StandardCharsets.UTF_8);
    }

    private static ErrorCode failure(CompletableFuture<byte[]> f) {
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        return ((ChubbyException) e.getCause()).code();
    }

    @Test
    void proposalsApplyAtOnceOnTheCallersThreadInOrderOneBatchEach() {
        assertEquals("ok:a", text(consensus.propose(bytes("a"))));
        assertEquals("ok:b", text(consensus.propose(bytes("b"))));
        assertEquals(List.of("1@1:a", "2@1:b"), ledger.applied);
        assertEquals(List.of(Thread.currentThread(), Thread.currentThread()), ledger.threads);
        assertEquals(2, ledger.batches);
        assertEquals(2, consensus.proposals());
    }

    @Test
    void aReplicaThatIsNotMasterRefusesWithNotMasterAndAppliesNothing() {
        consensus.loseMastership(2);
        assertEquals(ErrorCode.NOT_MASTER, failure(consensus.propose(bytes("a"))));
        assertEquals(List.of(), ledger.applied);
        assertEquals(0, consensus.proposals());
    }

    @Test
    void heldProposalsWaitAndApplyInOrderOnRelease() {
        consensus.hold();
        CompletableFuture<byte[]> a = consensus.propose(bytes("a"));
        CompletableFuture<byte[]> b = consensus.propose(bytes("b"));
        assertFalse(a.isDone());
        assertEquals(2, consensus.heldProposals());
        assertEquals(List.of(), ledger.applied);
        // a proposal made while releasing (as a reaction to an earlier result) applies at once
        a.thenRun(() -> consensus.propose(bytes("after-a")));
        consensus.release();
        assertEquals("ok:a", text(a));
        assertEquals("ok:b", text(b));
        assertEquals(List.of("1@1:a", "2@1:after-a", "3@1:b"), ledger.applied);
        assertEquals(0, consensus.heldProposals());
        assertEquals("ok:c", text(consensus.propose(bytes("c"))), "no longer holding");
    }

    @Test
    void losingMastershipFailsHeldProposalsWithoutApplyingThem() {
        consensus.hold();
        CompletableFuture<byte[]> a = consensus.propose(bytes("a"));
        consensus.loseMastership(3);
        assertEquals(ErrorCode.NOT_MASTER, failure(a));
        consensus.becomeMaster(2);
        consensus.release();
        assertEquals(List.of(), ledger.applied);
    }

    @Test
    void aLapseAtTheSameEpochKeepsHeldProposalsAndTellsListenersLostThenBecame() {
        consensus.hold();
        CompletableFuture<byte[]> a = consensus.propose(bytes("a"));
        boolean[] masterWhenLost = {true};
        consensus.addListener(new ConsensusListener() {
            @Override
            public void becameMaster(long epoch) {
            }

            @Override
            public void lostMastership(long epoch) {
                masterWhenLost[0] = consensus.isMaster();
            }
        });
        calls.calls.clear();
        consensus.lapse();
        assertEquals(List.of("lost 1", "became 1"), calls.calls);
        assertFalse(masterWhenLost[0], "not master while the lease is lapsed");
        assertTrue(consensus.isMaster());
        assertFalse(a.isDone(), "kept");
        consensus.release();
        assertEquals("ok:a", text(a));
        assertEquals(List.of("1@1:a"), ledger.applied);
    }

    @Test
    void failNextProposalAfterCommitAppliesButReportsNotMaster() {
        consensus.failNextProposalAfterCommit();
        assertEquals(ErrorCode.NOT_MASTER, failure(consensus.propose(bytes("a"))));
        assertEquals(List.of("1@1:a"), ledger.applied, "it did commit");
        assertEquals("ok:b", text(consensus.propose(bytes("b"))), "only the next one");
    }

    @Test
    void listenersHearOfViewChangesInTheRealReplicasOrder() {
        consensus.loseMastership(2);
        assertEquals(List.of("lost 1", "changed 2@1"), calls.calls);
        calls.calls.clear();
        consensus.failOver(3, 4);
        assertEquals(List.of("changed 3@4"), calls.calls);
        calls.calls.clear();
        consensus.becomeMaster(5);
        assertEquals(List.of("changed 1@5", "became 5"), calls.calls);
        calls.calls.clear();
        consensus.becomeMaster(6);
        assertEquals(List.of("lost 5", "changed 1@6", "became 6"), calls.calls, "a new epoch is a new term");
        calls.calls.clear();
        consensus.failOver(1, 6);
        assertEquals(List.of(), calls.calls, "no change, no call");
        consensus.failOver(0, 7);
        assertEquals(List.of("lost 6", "changed 0@7"), calls.calls);
        assertFalse(consensus.isMaster());
        assertEquals(0, consensus.masterId());
        assertEquals(7, consensus.epoch());
    }

    @Test
    void quietFailOverChangesTheViewWithoutCalls() {
        consensus.failOverQuietly(2, 3);
        assertEquals(List.of(), calls.calls);
        assertFalse(consensus.isMaster());
        assertEquals(2, consensus.masterId());
        assertEquals(3, consensus.epoch());
        consensus.removeListener(calls);
        consensus.becomeMaster(4);
        assertEquals(List.of(), calls.calls, "removed");
        assertTrue(consensus.isMaster());
    }

    @Test
    void membersAndSelf() {
        assertEquals(FakeConsensus.THREE_REPLICAS, consensus.members());
        assertEquals(1, consensus.self().id());
        List<Member> five = Member.parseList("1@10.0.0.1:1:2,2@10.0.0.2:1:2,3@10.0.0.3:1:2,4@10.0.0.4:1:2,5@10.0.0.5:1:2");
        FakeConsensus fourth = new FakeConsensus(five, 4, 2, 9);
        assertEquals("10.0.0.4:1", fourth.self().clientAddress());
        assertEquals(2, fourth.masterId());
        assertEquals(9, fourth.epoch());
        fourth.setMembers(Member.parseList("4@127.0.0.1:9004:9104"));
        assertEquals("127.0.0.1:9004", fourth.self().clientAddress());
        assertThrows(IllegalArgumentException.class, () -> fourth.setMembers(FakeConsensus.THREE_REPLICAS));
        assertThrows(IllegalArgumentException.class, () -> new FakeConsensus(FakeConsensus.THREE_REPLICAS, 4));
    }

    @Test
    void statusReportsRoleViewAndTheMachinesIndexAndChecksum() {
        consensus.propose(bytes("a"));
        assertEquals(new ConsensusStatus(1, "master", 1, 1, 1, 1, 31, 1, true), consensus.status());
        consensus.loseMastership(2);
        assertEquals(new ConsensusStatus(1, "replica", 2, 1, 1, 1, 31, 1, false), consensus.status());
        consensus.failOver(0, 2);
        assertEquals("candidate", consensus.status().role());
        FakeConsensus bare = new FakeConsensus(FakeConsensus.THREE_REPLICAS, 2, 1, 3);
        assertEquals(new ConsensusStatus(2, "replica", 1, 3, 0, 0, 0, 1, false), bare.status());
    }

    @Test
    void afterUnregisterNothingIsApplied() {
        consensus.unregister(ledger);
        CompletableFuture<byte[]> f = consensus.propose(bytes("a"));
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
        assertEquals(List.of(), ledger.applied);
    }

    @Test
    void theCommandIsCopiedWhenProposed() {
        consensus.hold();
        byte[] cmd = bytes("a");
        consensus.propose(cmd);
        cmd[0] = 'z';
        consensus.release();
        assertArrayEquals(bytes("a"), ledger.applied.get(0).substring(4).getBytes(StandardCharsets.UTF_8));
    }
}
