package io.chubby.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusListener;
import io.chubby.spi.StateMachine;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class FakeGroupCellTest {
    private final FakeGroupCell cell = new FakeGroupCell(FakeConsensus.THREE_REPLICAS);

    /** Records what it applied; answers each entry with its index. */
    private static final class Recorder implements StateMachine {
        final List<String> applied = new ArrayList<>();
        int batches;

        @Override
        public long appliedIndex() {
            return applied.size();
        }

        @Override
        public byte[] apply(long index, long epoch, byte[] command) {
            applied.add(index + "@" + epoch + ":" + new String(command));
            return new byte[] {(byte) index};
        }

        @Override
        public void applyBatchDone() {
            batches++;
        }

        @Override
        public long checksum() {
            return applied.hashCode();
        }

        @Override
        public void writeSnapshot(OutputStream out) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void installSnapshot(InputStream in) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void makeDurable() {
        }
    }

    private static Recorder registered(Consensus c) {
        Recorder r = new Recorder();
        c.register(r);
        return r;
    }

    @Test
    void aProposalOnAGroupsMasterIsAppliedOnEveryReplicaWithTheGroupOpenAndOnlyInThatGroup() {
        Recorder g1r1 = registered(cell.replica(1).open(1));
        Recorder g1r2 = registered(cell.replica(2).open(1));
        Recorder g2r1 = registered(cell.replica(1).open(2));
        cell.elect(1, 2);
        assertTrue(cell.replica(2).open(1).isMaster());
        assertFalse(cell.replica(1).open(1).isMaster());
        assertArrayEquals(new byte[] {1}, cell.replica(2).open(1).propose("a".getBytes()).join());
        assertEquals(List.of("1@1:a"), g1r1.applied);
        assertEquals(List.of("1@1:a"), g1r2.applied);
        assertEquals(List.of(), g2r1.applied);
        assertEquals(List.of(1, 2), cell.replica(1).opened());
        assertSame(cell.replica(1).open(1), cell.replica(1).open(1));
        assertNotSame(cell.replica(1).open(1), cell.replica(2).open(1));
        assertEquals(1, cell.replica(1).open(1).status().group());
    }

    @Test
    void offTheMasterAProposalFailsNotMaster() {
        registered(cell.replica(1).open(0));
        CompletionException e = assertThrows(CompletionException.class,
                () -> cell.replica(1).open(0).propose(new byte[0]).join());
        assertEquals(ErrorCode.NOT_MASTER, ((ChubbyException) e.getCause()).code());
    }

    @Test
    void aGroupOpenedLaterAndAPausedReplicaCatchUpFromTheLog() {
        registered(cell.replica(1).open(0));
        Recorder r2 = registered(cell.replica(2).open(0));
        cell.pause(2);
        cell.elect(0, 1);
        cell.replica(1).open(0).propose("a".getBytes()).join();
        cell.replica(1).open(0).propose("b".getBytes()).join();
        assertEquals(List.of(), r2.applied);
        assertEquals(0, cell.replica(2).open(0).masterId(), "a paused replica has not heard of the election");
        cell.resume(2);
        assertEquals(List.of("1@1:a", "2@1:b"), r2.applied);
        assertEquals(1, r2.batches, "caught up as one batch");
        assertEquals(1, cell.replica(2).open(0).masterId());
        Recorder late = registered(cell.replica(3).open(0));
        assertEquals(List.of("1@1:a", "2@1:b"), late.applied);
        assertEquals(2, cell.logLength(0));
    }

    @Test
    void anElectionTellsTheGroupsListenersInTheReplicasOrder() {
        List<String> heard = new ArrayList<>();
        ConsensusListener l = new ConsensusListener() {
            @Override
            public void becameMaster(long epoch) {
                heard.add("became " + epoch);
            }

            @Override
            public void lostMastership(long epoch) {
                heard.add("lost " + epoch);
            }

            @Override
            public void masterChanged(int masterId, long epoch) {
                heard.add("master " + masterId + " " + epoch);
            }
        };
        cell.replica(1).open(3).addListener(l);
        cell.elect(3, 1);
        cell.elect(3, 2);
        cell.elect(0, 1); // another group: not heard
        assertEquals(List.of("master 1 1", "became 1", "lost 1", "master 2 2"), heard);
        assertEquals(2, cell.masterOf(3));
    }

    @Test
    void peerMinorsAreWhatTheTestAnnounced() {
        assertEquals(Map.of(), cell.replica(1).peerMinors());
        cell.replica(1).announcePeerMinors(Map.of(2, 3, 3, 2));
        assertEquals(Map.of(2, 3, 3, 2), cell.replica(1).peerMinors());
        assertEquals(Map.of(), cell.replica(2).peerMinors());
    }

    @Test
    void memoryStateStoresKeepOneStorePerGroup() {
        MemoryStateStores stores = new MemoryStateStores();
        assertSame(stores.group(2), stores.group(2));
        assertNotSame(stores.group(1), stores.group(2));
        assertThrows(IllegalArgumentException.class, () -> stores.group(-1));
    }

    @Test
    void crossGroupMessagesTravelOnlyOnceCarriedAndNotFromAPausedReplica() {
        assertThrows(UnsupportedOperationException.class, () -> cell.replica(1).sendCross(2, new byte[] {1}));
        MemoryNetwork net = new MemoryNetwork();
        cell.carryCrossOver(net);
        List<String> got = new ArrayList<>();
        cell.replica(2).crossHandler((from, bytes) -> got.add(from + ":" + bytes[0]));
        cell.replica(1).sendCross(2, new byte[] {5});
        cell.replica(3).sendCross(1, new byte[] {6}); // replica 1 has no handler: dropped
        cell.pause(3);
        cell.replica(3).sendCross(2, new byte[] {7});
        cell.replica(2).crossHandler(null);
        cell.replica(1).sendCross(2, new byte[] {8});
        assertEquals(List.of("1:5"), got);
    }
}
