package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.ConsensusListener;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A master whose lease lapses (no follower's acknowledgement reaches it for a lease) while a
 * proposal of its own waits (CORE-API.md "A lapse at the same epoch keeps its proposals"): when
 * the acknowledgements come back before it steps down, it serves again at the same epoch and the
 * proposal completes with its result; when they do not, it steps down and the proposal fails
 * NOT_MASTER (outcome unknown).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SameEpochLapseTest {

    private static byte[] cmd(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Drops everything the followers send the master (their Accepteds and HeartbeatAcks) until healed. */
    private static void cutAcknowledgements(TestCell cell, int master) {
        for (int id : cell.replicas.keySet()) {
            if (id != master) {
                cell.net.cut(id, master);
            }
        }
    }

    /** The cell's master, once an entry of its own committed (its epoch's barrier is behind it). */
    private static PaxosReplica masterWithAnEntry(TestCell cell) throws Exception {
        PaxosReplica m = cell.awaitMaster(5000);
        m.propose(cmd("before")).get(10, TimeUnit.SECONDS);
        return m;
    }

    @Test
    void aProposalPendingAcrossALapseAtTheSameEpochCompletesWithItsResult() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            PaxosReplica m = masterWithAnEntry(cell);
            int id = m.self().id();
            long epoch = m.epoch();
            AtomicBoolean settledAtLapse = new AtomicBoolean(true);
            AtomicReference<CompletableFuture<byte[]>> kept = new AtomicReference<>();
            m.addListener(new ConsensusListener() {
                @Override
                public void becameMaster(long epoch) {
                }

                @Override
                public void lostMastership(long lostEpoch) {
                    settledAtLapse.set(kept.get() != null && kept.get().isDone());
                    cell.net.heal(); // the acknowledgements come back well before the step-down (a lease later)
                }
            });

            cutAcknowledgements(cell, id);
            kept.set(m.propose(cmd("kept")));
            byte[] result = kept.get().get(10, TimeUnit.SECONDS);

            long index = ByteBuffer.wrap(result).getLong();
            assertFalse(settledAtLapse.get(), "the proposal was still pending when the lease lapsed");
            assertArrayEquals(cmd("kept"), cell.machines.get(id).commands().get((int) index - 1),
                    "its result is that of its own entry");
            List<String> events = cell.events;
            int lost = events.indexOf(id + ":lost:" + epoch);
            assertTrue(lost >= 0, "the lease lapsed: " + events);
            // The proposal completes when its entry applies; the loop reports serving again at the end
            // of that pass, so the test thread can get here first.
            TestCell.await(5000, "came back at the same epoch: " + events,
                    () -> events.subList(lost, events.size()).contains(id + ":became:" + epoch));
            assertEquals(epoch, m.epoch());
            TestCell.await(5000, "serving again", m::isMaster);
        }
    }

    @Test
    void aProposalPendingWhenTheLapsedMasterStepsDownFailsNotMaster() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            PaxosReplica m = masterWithAnEntry(cell);
            int id = m.self().id();
            long epoch = m.epoch();

            cutAcknowledgements(cell, id);
            CompletableFuture<byte[]> stranded = m.propose(cmd("stranded"));
            ExecutionException e = assertThrows(ExecutionException.class, () -> stranded.get(10, TimeUnit.SECONDS));

            ChubbyException failure = assertInstanceOf(ChubbyException.class, e.getCause());
            assertEquals(ErrorCode.NOT_MASTER, failure.code(), failure.getMessage());
            assertTrue(cell.events.contains(id + ":lost:" + epoch), "the lease lapsed: " + cell.events);
            assertFalse(cell.events.subList(cell.events.indexOf(id + ":lost:" + epoch), cell.events.size())
                    .contains(id + ":became:" + epoch), "it never served again at that epoch: " + cell.events);
            assertFalse("master".equals(m.status().role()), "failed when it stepped down, a lease after the lapse");
            cell.net.heal();
            assertTrue(cell.awaitMaster(10_000).epoch() > epoch, "a new epoch after the step-down");
        }
    }
}
