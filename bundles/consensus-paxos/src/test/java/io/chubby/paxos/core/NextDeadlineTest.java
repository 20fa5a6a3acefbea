package io.chubby.paxos.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PaxosNode#nextDeadlineMillis} is exact: a cell whose replicas are ticked only once their
 * deadline came behaves, millisecond by millisecond, like one ticked every millisecond, through
 * elections, writes, isolations and restarts. And masters renew on the shared grid.
 */
class NextDeadlineTest {

    @Test
    void tickingOnlyAtDeadlinesIsIndistinguishableFromTickingEveryMillisecond() {
        for (long seed = 1; seed <= 12; seed++) {
            TestCell every = new TestCell(5);
            TestCell due = new TestCell(5);
            Random script = new Random(seed);
            int ticksSkipped = 0;
            for (int step = 0; step < 300; step++) {
                int action = script.nextInt(20);
                int replica = 1 + script.nextInt(5);
                if (action == 0) {
                    every.isolate(replica);
                    due.isolate(replica);
                } else if (action == 1) {
                    every.heal();
                    due.heal();
                } else if (action == 2) {
                    every.start(replica); // a crash and restart from the durable log
                    due.start(replica);
                } else if (action < 8) {
                    int m = every.master();
                    assertEquals(m, due.master(), "seed " + seed + " step " + step);
                    if (m != 0) {
                        assertEquals(every.propose(m, "v" + step), due.propose(m, "v" + step));
                    }
                }
                long ms = 5 + script.nextInt(120);
                for (long t = 0; t < ms; t++) {
                    for (PaxosNode n : due.nodes.values()) {
                        if (due.now + 1 < n.nextDeadlineMillis()) {
                            ticksSkipped++;
                        }
                    }
                    every.elapseByMs(1, false);
                    due.elapseByMs(1, true);
                    assertEquals(snapshot(every), snapshot(due), "seed " + seed + " step " + step + " at " + every.now);
                }
            }
            assertEquals(every.readies.size(), due.readies.size());
            assertTrue(every.commands(1).size() + every.commands(2).size() > 10, "seed " + seed + " wrote: "
                    + every.commands(1) + " " + every.commands(2));
            assertTrue(ticksSkipped > 0, "the deadline let some ticks be skipped");
        }
    }

    @Test
    void mastersRenewOnTheGridOfTheRenewPeriod() {
        TestCell c = new TestCell(3);
        c.elapse(4_000);
        int m = c.master();
        assertTrue(m != 0);
        PaxosNode master = c.node(m);
        long deadline = master.nextDeadlineMillis();
        assertEquals(0, deadline % 500, "renewals at multiples of renewMillis, got " + deadline);
        assertTrue(deadline > c.now && deadline <= c.now + 500);
        // A follower's next move is its election timer, after its lease promise.
        for (int i = 1; i <= 3; i++) {
            if (i != m) {
                assertTrue(c.node(i).nextDeadlineMillis() > c.now);
            }
        }
    }

    /** Everything observable of every replica, and the messages carried so far. */
    private static List<String> snapshot(TestCell c) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= c.n; i++) {
            PaxosNode n = c.node(i);
            out.add(i + ":" + n.role() + "/" + n.masterId() + "/" + n.epoch() + "/" + n.promised() + "/"
                    + n.commitIndex() + "/" + n.appliedIndex() + "/" + n.lastIndex() + "/" + n.leaseValid(c.now)
                    + "/" + n.canServe(c.now) + "/" + n.nextDeadlineMillis());
        }
        out.add("readies=" + c.readies.size());
        int messages = 0;
        for (Ready r : c.readies) {
            messages += r.messages().size();
        }
        out.add("messages=" + messages);
        return out;
    }
}
