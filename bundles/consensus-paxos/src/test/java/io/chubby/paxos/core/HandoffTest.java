package io.chubby.paxos.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * CORE-API.md "Handing mastership over": a master stops serving, waits for its target to hold its
 * log, releases the acceptors and steps down; the target takes over without a lease wait. At no
 * instant do two replicas hold a valid lease ({@link TestCell#master} asserts it every call).
 */
class HandoffTest {

    private static int elect(TestCell c) {
        return c.electMaster();
    }

    private static int other(int m, int n) {
        return m % n + 1;
    }

    @Test
    void theTargetTakesOverWithinMillisecondsAndKeepsEveryWrite() {
        TestCell c = new TestCell(5);
        int m = elect(c);
        for (int k = 0; k < 20; k++) {
            c.propose(m, "v" + k);
        }
        c.stabilize();
        long epoch = c.node(m).epoch();
        int target = other(m, 5);
        assertTrue(c.node(m).handOff(target, c.now));
        assertFalse(c.node(m).canServe(c.now), "a master handing off serves nothing");
        assertEquals(-1, c.propose(m, "refused"));
        long start = c.now;
        while (c.master() != target || !c.node(target).canServe(c.now)) {
            c.elapseByMs(1, false);
            c.master(); // never two lease holders
            assertTrue(c.now - start < 200, "the target serves within a few round trips, not after L");
        }
        System.out.println("handoff: the target served " + (c.now - start) + " ms after handOff (instant network)");
        assertTrue(c.node(target).epoch() > epoch);
        assertEquals(Role.FOLLOWER, c.node(m).role());
        assertTrue(c.propose(target, "after") > 0);
        c.elapse(600);
        for (int i = 1; i <= 5; i++) {
            List<String> cmds = c.commands(i);
            assertEquals(21, cmds.size(), "replica " + i + ": " + cmds);
            assertEquals("after", cmds.get(20));
        }
    }

    @Test
    void aTargetThatCannotCatchUpIsGivenUpAndTheMasterServesAgain() {
        TestCell c = new TestCell(5);
        int m = elect(c);
        int target = other(m, 5);
        c.isolate(target);
        c.propose(m, "the target lacks this");
        c.stabilize();
        long epoch = c.node(m).epoch();
        assertTrue(c.node(m).handOff(target, c.now));
        assertEquals(target, c.node(m).handoffTarget());
        assertFalse(c.node(m).handOff(other(target, 5), c.now), "one handoff at a time");
        c.elapse(1_000);
        assertFalse(c.node(m).canServe(c.now), "still waiting for the target");
        assertEquals(m, c.master(), "nothing released: the lease stays ours");
        c.elapse(600);
        assertEquals(0, c.node(m).handoffTarget());
        assertTrue(c.node(m).canServe(c.now), "given up after L: serving again in the same epoch");
        assertEquals(epoch, c.node(m).epoch());
    }

    @Test
    void lostReleasesOnlyCostTheLeaseWait() {
        TestCell c = new TestCell(5);
        int m = elect(c);
        int target = other(m, 5);
        for (int i = 1; i <= 5; i++) {
            if (i != m && i != target) {
                c.cut.add(((long) m << 32) | i); // every LeaseRelease is lost (and our heartbeats)
            }
        }
        long start = c.now;
        assertTrue(c.node(m).handOff(target, c.now));
        c.stabilize();
        assertEquals(Role.FOLLOWER, c.node(m).role());
        while (c.master() == 0 || !c.node(c.master()).canServe(c.now)) {
            c.elapse(10);
            assertTrue(c.now - start < 5_000);
        }
        System.out.println("handoff with lost releases: a master served " + (c.now - start) + " ms after handOff");
        assertTrue(c.now - start >= 500, "the other acceptors waited for their promises to lapse");
    }

    @Test
    void onlyARunningMasterHandsOffToAnotherMember() {
        TestCell c = new TestCell(3);
        assertFalse(c.node(1).handOff(2, c.now), "not master");
        int m = elect(c);
        assertFalse(c.node(m).handOff(m, c.now), "itself");
        assertFalse(c.node(m).handOff(9, c.now), "not a member");
        assertTrue(c.node(m).canServe(c.now));
    }

    @Test
    void anOperatorsHandoffPinsTheTargetsMastershipAndAPlannedOneDoesNot() {
        TestCell c = new TestCell(5);
        int m = elect(c);
        assertFalse(c.node(m).pinned(), "an elected master is not pinned");
        int target = other(m, 5);
        assertTrue(c.node(m).handOff(target, true, c.now));
        long start = c.now;
        while (c.master() != target || !c.node(target).canServe(c.now)) {
            c.elapseByMs(1, false);
            assertTrue(c.now - start < 1_000, "the target serves within a few round trips");
        }
        assertTrue(c.node(target).pinned(), "placed by an operator");
        int next = other(target, 5);
        assertTrue(c.node(target).handOff(next, c.now));
        long again = c.now;
        while (c.master() != next || !c.node(next).canServe(c.now)) {
            c.elapseByMs(1, false);
            assertTrue(c.now - again < 1_000, "the next target serves within a few round trips");
        }
        assertFalse(c.node(next).pinned(), "a planned (placement) handoff does not pin");
        assertFalse(c.node(target).pinned(), "a follower is never pinned");
    }

    @Test
    void caughtUpMeansAnsweringAndHoldingTheChosenLog() {
        TestCell c = new TestCell(5);
        int m = elect(c);
        int live = other(m, 5);
        int cutOff = other(live, 5);
        c.stabilize();
        assertTrue(c.node(m).caughtUp(live, c.now));
        assertTrue(c.node(m).caughtUp(cutOff, c.now));
        assertFalse(c.node(m).caughtUp(m, c.now), "itself");
        assertFalse(c.node(live).caughtUp(m, c.now), "a follower does not know");
        c.isolate(cutOff);
        c.elapse(1_200); // more than two renew periods without an answer
        assertFalse(c.node(m).caughtUp(cutOff, c.now), "silent for two renew periods");
        assertTrue(c.node(m).caughtUp(live, c.now));
        c.heal();
        c.elapse(600);
        assertTrue(c.node(m).caughtUp(cutOff, c.now), "answers again and holds the log");
    }

    /** Acceptor side, one replica by hand: which releases count. */
    @Test
    void anAcceptorHonoursOnlyTheReleaseOfTheBallotItIsBoundTo() {
        MemLog log = new MemLog();
        Random rnd = new Random(7);
        long now = 10_000;
        PaxosNode node = new PaxosNode(TestCell.config(3, 5), new RecoveredState(log.promised, 0), log,
                rnd::nextLong, now);
        now += 1_500; // past the restart lease
        Ballot b = new Ballot(4, 1);
        node.step(new Message.Heartbeat(1, 3, b, 0, now), now);
        drain(node, log);
        Ballot other = new Ballot(2, 1);
        node.step(new Message.LeaseRelease(1, 3, other), now);
        node.step(new Message.LeaseRelease(2, 3, b), now); // not the ballot's master
        node.step(new Message.Prepare(2, 3, new Ballot(5, 2), 1, now), now);
        Message.Nack n = assertInstanceOf(Message.Nack.class, drain(node, log).messages().get(0));
        assertEquals(Message.Nack.LEASE_HELD, n.reason(), "still bound: those releases prove nothing");
        node.step(new Message.LeaseRelease(1, 3, b), now);
        node.step(new Message.Heartbeat(1, 3, b, 0, now), now); // a late heartbeat of the released ballot
        drain(node, log);
        node.step(new Message.Prepare(2, 3, new Ballot(5, 2), 1, now), now);
        assertInstanceOf(Message.Promise.class, drain(node, log).messages().get(0),
                "released, and the late heartbeat did not bind us again");
    }

    @Test
    void aHandoffOfAnotherBallotIsIgnored() {
        MemLog log = new MemLog();
        long now = 10_000;
        PaxosNode node = new PaxosNode(TestCell.config(3, 5), new RecoveredState(log.promised, 0), log,
                new Random(7)::nextLong, now);
        now += 1_500;
        Ballot b = new Ballot(4, 1);
        node.step(new Message.Heartbeat(1, 3, b, 0, now), now);
        drain(node, log);
        node.step(new Message.Handoff(1, 3, new Ballot(3, 1), 0, false), now);
        assertFalse(node.hasReady(), "no campaign on a stale handoff");
        node.step(new Message.Handoff(1, 3, b, 0, false), now);
        Ready r = drain(node, log);
        assertTrue(r.messages().stream().allMatch(m -> m instanceof Message.PreVote), "campaigns at once: "
                + r.messages());
        assertEquals(4, r.messages().size());
    }

    private static Ready drain(PaxosNode node, MemLog log) {
        assertTrue(node.hasReady());
        Ready r = node.ready();
        log.persist(r);
        node.advance(r);
        return r;
    }
}
