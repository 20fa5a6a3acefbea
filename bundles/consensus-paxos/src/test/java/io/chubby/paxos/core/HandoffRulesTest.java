package io.chubby.paxos.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CORE-API.md "Handing mastership over", the rules its safety argument rests on, millisecond by
 * millisecond on a {@link TestCell} (which asserts at every {@link TestCell#master} call that no
 * two replicas hold a valid lease): the master waits for a lagging target without serving and
 * without releasing anybody; a handed-off ballot is never served again; late and duplicated
 * {@code Handoff}/{@code LeaseRelease} of handed-off ballots change nothing under a later master;
 * a follower behind a new master's phase-1 range is caught up in one pass, so a handoff to it
 * right after a failover is quick; and what a handoff saves against a failover.
 */
class HandoffRulesTest {

    private static int other(int m, int n) {
        return m % n + 1;
    }

    /** The Handoff and LeaseRelease messages the cell's replicas sent from Ready number {@code from} on. */
    private static List<Message> releasesSince(TestCell c, int from) {
        List<Message> out = new ArrayList<>();
        for (Ready r : c.readies.subList(from, c.readies.size())) {
            for (Message m : r.messages()) {
                if (m instanceof Message.Handoff || m instanceof Message.LeaseRelease) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    /** One millisecond passes; the old master {@code m} of {@code epoch} must not serve, nor lead that ballot again. */
    private static void tickWithoutServing(TestCell c, int m, long epoch) {
        c.elapseByMs(1, false);
        c.master(); // never two lease holders
        PaxosNode old = c.node(m);
        assertFalse(old.canServe(c.now), "the master that handed off serves nothing (at " + c.now + ")");
        assertFalse(old.role() == Role.MASTER && old.epoch() == epoch && old.handoffTarget() == 0,
                "a handed-off ballot is never led again");
    }

    @Test
    void aLaggingTargetIsWaitedForWithoutServingAndWithoutReleasingAnybody() {
        TestCell c = new TestCell(5);
        int m = c.electMaster();
        long epoch = c.node(m).epoch();
        int target = other(m, 5);
        c.isolate(target);
        for (int k = 0; k < 5; k++) {
            assertTrue(c.propose(m, "lagging-" + k) > 0);
        }
        c.stabilize();
        int seen = c.readies.size();
        assertTrue(c.node(m).handOff(target, c.now));
        for (int t = 0; t < 300; t++) { // well within L, after which the handoff would be given up
            tickWithoutServing(c, m, epoch);
            assertEquals(-1, c.propose(m, "refused " + t), "propose refuses while handing off");
            assertEquals(Role.MASTER, c.node(m).role(), "still master: it heartbeats, the lease stays ours");
            assertEquals(m, c.master(), "nothing released: the lease stays ours");
            assertEquals(target, c.node(m).handoffTarget());
        }
        assertTrue(releasesSince(c, seen).isEmpty(), "no Handoff, no LeaseRelease while the target lacks the log: "
                + releasesSince(c, seen));
        c.heal();
        long healed = c.now;
        while (c.master() != target || !c.node(target).canServe(c.now)) {
            tickWithoutServing(c, m, epoch);
            assertTrue(c.now - healed < 1_000, "the target catches up and takes over within two renew periods");
        }
        System.out.println("handoff to a lagging target: it served " + (c.now - healed) + " ms after it was reachable"
                + " again (the master re-sends on its renew grid)");
        List<Message> sent = releasesSince(c, seen);
        assertEquals(4, sent.size(), "one Handoff and three LeaseReleases, once: " + sent);
        assertEquals(1, sent.stream().filter(x -> x instanceof Message.Handoff && x.to() == target).count());
        assertTrue(c.node(target).epoch() > epoch);
        assertEquals(List.of("lagging-0", "lagging-1", "lagging-2", "lagging-3", "lagging-4"), c.commands(target),
                "the target held every entry of the old master's log (no refused proposal slipped in)");
    }

    /** {@code from} hands off to {@code to}; returns its Handoff and LeaseReleases once {@code to} serves. */
    private static List<Message> handOff(TestCell c, int from, int to) {
        long epoch = c.node(from).epoch();
        int seen = c.readies.size();
        long start = c.now;
        assertTrue(c.node(from).handOff(to, c.now));
        while (c.master() != to || !c.node(to).canServe(c.now)) {
            tickWithoutServing(c, from, epoch);
            assertTrue(c.now - start < 200, "the target serves within a few round trips");
        }
        for (int t = 0; t < 100; t++) { // every follower is bound to the new master by now
            tickWithoutServing(c, from, epoch);
        }
        return releasesSince(c, seen);
    }

    /**
     * The master hands off and later gets mastership back by a handoff in a higher ballot; then
     * every Handoff and LeaseRelease of both handed-off ballots arrives again, twice. The one of
     * the first ballot comes from the replica that is master again, to acceptors bound to it: a
     * release keyed only on the sender would free them while it holds its lease.
     */
    @Test
    void lateAndDuplicatedReleasesOfHandedOffBallotsChangeNothingUnderALaterMaster() {
        TestCell c = new TestCell(5);
        int m = c.electMaster();
        int target = other(m, 5);
        List<Message> old = new ArrayList<>(handOff(c, m, target));
        old.addAll(handOff(c, target, m));
        assertEquals(8, old.size(), old.toString());
        long epoch = c.node(m).epoch();
        int before = c.readies.size();
        for (Message msg : old) {
            c.wire.add(msg);
            c.wire.add(msg);
        }
        c.stabilize();
        for (int t = 0; t < 50; t++) {
            c.elapseByMs(1, false);
            assertEquals(m, c.master(), "the master keeps its lease");
            assertTrue(c.node(m).canServe(c.now));
        }
        assertEquals(epoch, c.node(m).epoch(), "no election, no epoch change");
        for (Ready r : c.readies.subList(before, c.readies.size())) {
            for (Message msg : r.messages()) {
                assertFalse(msg instanceof Message.PreVote || msg instanceof Message.Prepare,
                        "a stale Handoff started no campaign: " + msg);
            }
        }
        // Every follower is still bound to the master: a higher ballot of anybody else is refused.
        long higher = c.node(m).promised().round() + 1;
        for (int f = 1; f <= 5; f++) {
            if (f == m) {
                continue;
            }
            int asker = 1;
            while (asker == f || asker == m) {
                asker++;
            }
            final int to = asker;
            int readyAt = c.readies.size();
            c.node(f).step(new Message.Prepare(to, f, new Ballot(higher, to), c.node(f).commitIndex() + 1, c.now),
                    c.now);
            c.drain(f);
            Message answer = c.readies.get(readyAt).messages().stream().filter(x -> x.to() == to).findFirst()
                    .orElseThrow();
            Message.Nack n = assertInstanceOf(Message.Nack.class, answer, "replica " + f + " answered " + answer);
            assertEquals(Message.Nack.LEASE_HELD, n.reason(), "replica " + f + " is still bound to " + m);
            c.wire.clear(); // the refusals reach nobody: the asker stays out of it
        }
    }

    /**
     * After a failover a follower may hold slots below the new master's phase-1 range in an older
     * ballot without knowing them chosen; the new master's commit index cannot commit them there,
     * so it sends them again in its ballot when a HeartbeatAck says so, and a handoff to that
     * follower waits for it (seed 553's rule). Here an Accepted of the follower is stepped in the
     * same pass, after that HeartbeatAck: it used to move the re-send pointer past those slots
     * again, so nothing was re-sent for two renew periods (MasterChangeTimesTest: a handoff right
     * after a failover took 500 ms). Now the slots leave in that pass.
     */
    @Test
    void aFollowerBehindTheNewMastersRangeIsCaughtUpInOnePassAndAHandoffToItIsQuick() {
        TestCell c = new TestCell(3);
        int m = c.electMaster();
        int f = other(m, 3);
        int n = other(f, 3);
        long x = c.propose(m, "x");
        c.stabilize(); // everyone accepted x; only m knows it chosen
        c.cut.add(((long) m << 32) | f);
        c.elapse(600); // n learns x chosen from m's heartbeats, f does not
        assertTrue(c.node(n).commitIndex() >= x);
        assertEquals(x - 1, c.node(f).commitIndex());
        c.isolate(m);
        List<Message> held = new ArrayList<>();
        long start = c.now;
        while (held.stream().noneMatch(h -> h instanceof Message.HeartbeatAck a && a.behind())
                || held.stream().noneMatch(h -> h instanceof Message.Accepted)) {
            c.now++;
            for (PaxosNode node : c.nodes.values()) {
                node.tick(c.now);
            }
            deliverHolding(c, f, n, held);
            assertTrue(c.now - start < 5_000, "n is elected and f answers it: " + held);
        }
        assertEquals(Role.MASTER, c.node(n).role());
        assertEquals(x - 1, c.node(f).commitIndex(), "f holds x in m's ballot and does not know it chosen");
        Message behind = held.stream().filter(h -> h instanceof Message.HeartbeatAck).findFirst().orElseThrow();
        Message accepted = held.stream().filter(h -> h instanceof Message.Accepted).findFirst().orElseThrow();
        c.node(n).step(behind, c.now); // one pass: the HeartbeatAck asking for x again ...
        c.node(n).step(accepted, c.now); // ... then an acknowledgement of n's own slots
        held.remove(behind);
        held.remove(accepted);
        c.wire.addAll(held);
        c.stabilize(); // no time passes: no heartbeat, no loss check
        assertTrue(c.node(f).commitIndex() >= x, "x re-sent in n's ballot in that pass: f commit "
                + c.node(f).commitIndex());
        c.heal();
        long asked = c.now;
        assertTrue(c.node(n).handOff(f, c.now));
        while (c.master() != f || !c.node(f).canServe(c.now)) {
            c.elapseByMs(1, false);
            assertTrue(c.now - asked < 100, "f holds everything: the handoff completes at once");
        }
    }

    /** As {@link TestCell#stabilize}, but f's HeartbeatAcks and Accepteds to n are held back in {@code held}. */
    private static void deliverHolding(TestCell c, int f, int n, List<Message> held) {
        for (int guard = 0; guard < 100_000; guard++) {
            boolean moved = false;
            for (int i = 1; i <= c.n; i++) {
                moved |= c.drain(i);
            }
            Message msg = c.wire.poll();
            if (msg == null && !moved) {
                return;
            }
            if (msg == null || c.cut.contains(((long) msg.from() << 32) | msg.to())) {
                continue;
            }
            if (msg.from() == f && msg.to() == n
                    && (msg instanceof Message.HeartbeatAck || msg instanceof Message.Accepted)) {
                held.add(msg);
            } else {
                c.node(msg.to()).step(msg, c.now);
            }
        }
        throw new AssertionError("did not settle");
    }

    /**
     * The figure a handoff exists for, on the same cell and instant network: a failover waits for
     * the followers' lease promises to lapse (L after the last heartbeat, plus jitter), a handoff
     * only for its messages. Protocol time only; GroupHostTest measures real threads.
     */
    @Test
    void aHandoffSkipsTheLeaseWaitOfAFailover() {
        TestCell c = new TestCell(5);
        int m = c.electMaster();
        c.isolate(m); // failover: the master is cut off
        long start = c.now;
        while (c.master() == 0 || c.master() == m || !c.node(c.master()).canServe(c.now)) {
            c.elapseByMs(1, false);
            assertTrue(c.now - start < 10_000, "a failover within a few leases");
        }
        long failoverMs = c.now - start;
        int next = c.master();
        c.heal();
        c.elapse(3_000); // the old master rejoins as a follower
        assertEquals(next, c.master());
        int target = other(next, 5) == m ? other(other(next, 5), 5) : other(next, 5);
        start = c.now;
        assertTrue(c.node(next).handOff(target, c.now));
        while (c.master() != target || !c.node(target).canServe(c.now)) {
            c.elapseByMs(1, false);
            assertTrue(c.now - start < 10_000);
        }
        long handoffMs = c.now - start;
        System.out.printf("master change on an instant network (L = 1500 ms, renew 500 ms, jitter <= 300 ms): "
                + "failover %d ms, handoff %d ms%n", failoverMs, handoffMs);
        assertTrue(failoverMs >= 1_500 - 500, "a failover waits for the lease promises to lapse: " + failoverMs);
        assertTrue(handoffMs <= 10, "a handoff costs round trips only: " + handoffMs);
    }
}
