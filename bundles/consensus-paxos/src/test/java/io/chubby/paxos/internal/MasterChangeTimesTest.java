package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.Consensus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a handoff saves against a failover, on real loop threads (3 replicas, one group, lease
 * 800 ms, renew 250 ms, {@link GroupCell}): the time from the start of a master change until the
 * next master serves. A handoff is the operator's transfer ({@link Handoffs#transfer}, what
 * {@code paxos:transfer} and {@code chubby master transfer} run); a failover is the master cut off
 * from the network. CORE-API.md "Handing mastership over" explains the difference: a failover
 * waits for the followers' lease promises to lapse, a handoff releases them.
 */
class MasterChangeTimesTest {

    private static final int ROUNDS = 3;

    private static byte[] cmd(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long median(List<Long> ms) {
        List<Long> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aHandoffChangesTheMasterInRoundTripsAFailoverAfterTheLease() throws Exception {
        try (GroupCell cell = new GroupCell(3, 1)) {
            List<Long> handoffs = new ArrayList<>();
            List<Long> failovers = new ArrayList<>();
            int rejoined = 0; // the master cut off in the round before: it may still be catching up
            for (int round = 0; round < ROUNDS; round++) {
                Consensus m = cell.awaitMaster(0, 10_000);
                int old = m.self().id();
                m.propose(cmd("before-handoff-" + round)).get(5, TimeUnit.SECONDS);
                // a caught-up target, as a transfer without --to picks (one just back waits to catch up)
                int target = old % 3 + 1 != rejoined ? old % 3 + 1 : (old + 1) % 3 + 1;
                long t0 = System.nanoTime();
                String said = cell.replicas.get(old).host().handoffs().transfer(0, target);
                TestCell.await(5_000, "replica " + target + " serves", () -> cell.consensus(target, 0).isMaster());
                handoffs.add((System.nanoTime() - t0) / 1_000_000);
                assertTrue(said.contains("moved from replica " + old + " to replica " + target), said);
                cell.consensus(target, 0).propose(cmd("after-handoff-" + round)).get(5, TimeUnit.SECONDS);

                cell.net.isolate(target);
                t0 = System.nanoTime();
                Consensus next = awaitMasterOtherThan(cell, target);
                failovers.add((System.nanoTime() - t0) / 1_000_000);
                next.propose(cmd("after-failover-" + round)).get(5, TimeUnit.SECONDS);
                cell.net.heal();
                int nextId = next.self().id();
                rejoined = target;
                TestCell.await(10_000, "the cut-off master follows " + nextId,
                        () -> cell.consensus(target, 0).masterId() == nextId && !cell.consensus(target, 0).isMaster());
            }
            System.out.printf("master change, 3 replicas in one JVM (lease 800 ms, renew 250 ms): handoff (transfer) "
                    + "%s ms, median %d; failover (master cut off) %s ms, median %d%n", handoffs, median(handoffs),
                    failovers, median(failovers));
            for (long f : failovers) {
                assertTrue(f >= 800 - 250, "a failover waits for the followers' promises to lapse: " + failovers);
            }
            // how much faster a handoff is, is printed, not asserted: timings are measured, never checked
            // in tests (a loaded machine stretches them); the bound above is safety: a failover cannot
            // come before the followers' promises lapse, however fast the machine
            long last = cell.machine(cell.awaitMaster(0, 1_000).self().id(), 0).applied();
            for (int id = 1; id <= 3; id++) {
                final int r = id;
                TestCell.await(5_000, "replica " + r + " applied every write", () -> cell.machine(r, 0).applied() >= last);
            }
            assertEquals(1, cell.masters().values().stream().filter(v -> v != 0).count(), "one master at the end");
        }
    }

    private static Consensus awaitMasterOtherThan(GroupCell cell, int cut) {
        Consensus[] found = new Consensus[1];
        TestCell.await(10_000, "a master other than " + cut, () -> {
            for (int id : cell.replicas.keySet()) {
                if (id != cut && cell.consensus(id, 0).isMaster()) {
                    found[0] = cell.consensus(id, 0);
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }
}
