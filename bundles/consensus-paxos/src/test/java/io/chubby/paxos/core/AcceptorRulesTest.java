package io.chubby.paxos.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** One replica driven by hand-written messages: the acceptor, learner and phase 1 rules. */
class AcceptorRulesTest {
    private static final long L = 1500;
    private final MemLog log = new MemLog();
    private final Random rnd = new Random(42);
    private long now = 10_000;
    private PaxosNode node = fresh(3);

    private PaxosNode fresh(int self) {
        return new PaxosNode(TestCell.config(self, 5), new RecoveredState(log.promised, 0), log, rnd::nextLong, now);
    }

    private Ready drain() {
        assertTrue(node.hasReady());
        Ready r = node.ready();
        log.persist(r);
        node.advance(r);
        return r;
    }

    private static Entry entry(long i, Ballot b, String v) {
        return new Entry(i, b, b.epoch(), v.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits out the restart lease promise so that the acceptor may promise. */
    private void pastRestartLease() {
        now += L;
    }

    /** "An acceptor durably records the promised ballot before it answers": promise and sync in the same Ready. */
    @Test
    void promiseIsPersistedWithSyncBeforeTheAnswer() {
        pastRestartLease();
        Ballot b = new Ballot(1, 1);
        node.step(new Message.Prepare(1, 3, b, 1, now), now);
        Ready r = drain();
        assertEquals(b, r.promised());
        assertTrue(r.sync());
        Message.Promise p = assertInstanceOf(Message.Promise.class, r.messages().get(0));
        assertEquals(b, p.ballot());
        assertEquals(now, p.leaseStamp());
    }

    /** "No answer leaves a replica before the fsync": accepted entries are in the Ready with sync. */
    @Test
    void acceptIsPersistedWithSyncBeforeAccepted() {
        Ballot b = new Ballot(2, 1);
        node.step(new Message.Accept(1, 3, b, List.of(entry(1, b, "a"), entry(2, b, "b")), 0), now);
        Ready r = drain();
        assertTrue(r.sync());
        assertEquals(b, r.promised(), "accepting in b implies promising b");
        assertEquals(2, r.entries().size());
        Message.Accepted a = assertInstanceOf(Message.Accepted.class, r.messages().get(0));
        assertEquals(1, a.firstIndex());
        assertEquals(2, a.lastIndex());
    }

    /** Paxos P1a: never accept or promise below the promised ballot; the answer says why. */
    @Test
    void staleBallotsAreRefused() {
        pastRestartLease();
        node.step(new Message.Prepare(1, 3, new Ballot(5, 1), 1, now), now);
        drain();
        node.step(new Message.Accept(2, 3, new Ballot(4, 2), List.of(entry(1, new Ballot(4, 2), "x")), 0), now);
        Ready r = drain();
        assertTrue(r.entries().isEmpty());
        Message.Nack n = assertInstanceOf(Message.Nack.class, r.messages().get(0));
        assertEquals(Message.Nack.HIGHER_BALLOT, n.reason());
        assertEquals(new Ballot(5, 1), n.promised());
        assertNull(log.entry(1));
    }

    /**
     * CONSENSUS.md "Master lease": after answering master M at t_ack, the acceptor promises no
     * other proposer before t_ack + L on its own clock, even one with a higher ballot.
     */
    @Test
    void leasePromiseBlocksOtherProposersUntilItLapses() {
        Ballot m = new Ballot(1, 1);
        long tAck = now;
        node.step(new Message.Heartbeat(1, 3, m, 0, tAck), tAck);
        drain();
        now = tAck + L - 1;
        node.step(new Message.Prepare(2, 3, new Ballot(9, 2), 1, now), now);
        Message.Nack n = assertInstanceOf(Message.Nack.class, drain().messages().get(0));
        assertEquals(Message.Nack.LEASE_HELD, n.reason());
        now = tAck + L;
        node.step(new Message.Prepare(2, 3, new Ballot(9, 2), 1, now), now);
        assertInstanceOf(Message.Promise.class, drain().messages().get(0));
    }

    /** The bound master itself may raise its ballot (it re-runs phase 1) while the lease holds. */
    @Test
    void boundMasterMayPrepareAgain() {
        Ballot m = new Ballot(1, 1);
        node.step(new Message.Heartbeat(1, 3, m, 0, now), now);
        drain();
        now += 10;
        node.step(new Message.Prepare(1, 3, new Ballot(2, 1), 1, now), now);
        assertInstanceOf(Message.Promise.class, drain().messages().get(0));
    }

    /**
     * A restarted replica forgot whom it promised a lease to, so it promises nobody for L
     * (Paxos Made Live: a replica that forgot its promises can break safety).
     */
    @Test
    void restartedAcceptorRefusesPromisesForL() {
        node.step(new Message.Prepare(2, 3, new Ballot(1, 2), 1, now), now);
        Message.Nack n = assertInstanceOf(Message.Nack.class, drain().messages().get(0));
        assertEquals(Message.Nack.LEASE_HELD, n.reason());
    }

    /**
     * Paxos phase 1: for each slot re-propose the value accepted with the highest ballot among the
     * promises (keeping its original epoch), fill holes with no-ops, then append the barrier.
     */
    @Test
    void newMasterReproposesHighestBallotValuesFillsHolesAndAppendsBarrier() {
        Ballot b1 = new Ballot(1, 1);
        Ballot b2 = new Ballot(2, 2);
        log.entries.put(1L, entry(1, b1, "old"));
        node = fresh(3);
        now += L + 400; // restart lease and jitter over: node 3 asks for pre-votes on its tick
        node.tick(now);
        Ready r = drain();
        Message.PreVote pv = assertInstanceOf(Message.PreVote.class, r.messages().get(0));
        node.step(new Message.PreVoteReply(1, 3, pv.ballot(), Ballot.ZERO, true, 0), now);
        node.step(new Message.PreVoteReply(2, 3, pv.ballot(), Ballot.ZERO, true, 0), now);
        r = drain();
        Message.Prepare p = assertInstanceOf(Message.Prepare.class, r.messages().get(0));
        Ballot mine = p.ballot();
        assertEquals(3, mine.replica());
        node.step(new Message.Promise(1, 3, mine, 1, List.of(entry(1, b2, "newer"), entry(3, b1, "three")), 0, now), now);
        assertEquals(Role.CANDIDATE, node.role(), "two of five promised: no majority yet");
        node.step(new Message.Promise(2, 3, mine, 1, List.of(), 0, now), now);
        r = drain();
        assertEquals(Role.MASTER, node.role());
        assertEquals(4, r.entries().size(), "slots 1..3 and the barrier at 4");
        assertEquals("newer", new String(r.entries().get(0).value(), StandardCharsets.UTF_8));
        assertEquals(b2.epoch(), r.entries().get(0).epoch(), "the value keeps the epoch of its proposer");
        assertTrue(r.entries().get(1).isNoop(), "hole at 2 becomes a no-op");
        assertEquals("three", new String(r.entries().get(2).value(), StandardCharsets.UTF_8));
        assertTrue(r.entries().get(3).isNoop(), "barrier");
        for (Entry e : r.entries()) {
            assertEquals(mine, e.ballot());
        }
        assertEquals(-1, node.propose("x".getBytes(), now), "no proposals before the barrier is applied");
    }

    /**
     * Learner rule: "slots <= commit are chosen with the values ballot B proposed" only covers a
     * local copy accepted in B or later; an older copy may be a value that was never chosen.
     */
    @Test
    void commitDoesNotApplyAStaleCopyUntilTheMasterResendsIt() {
        Ballot old = new Ballot(1, 1);
        Ballot b = new Ballot(2, 2);
        node.step(new Message.Accept(1, 3, old, List.of(entry(1, old, "maybe")), 0), now);
        drain();
        node.step(new Message.Heartbeat(2, 3, b, 1, now), now);
        Ready r = drain();
        assertTrue(r.committed().isEmpty());
        Message.HeartbeatAck ack = assertInstanceOf(Message.HeartbeatAck.class, r.messages().get(0));
        assertTrue(ack.behind(), "asks the master to re-send from its commit index + 1");
        node.step(new Message.Accept(2, 3, b, List.of(entry(1, b, "chosen")), 1), now);
        r = drain();
        assertEquals(1, r.committed().size());
        assertEquals("chosen", new String(r.committed().get(0).value(), StandardCharsets.UTF_8));
    }

    /** "Never trust a single message": a duplicated Accept is acknowledged again, applied once. */
    @Test
    void duplicatesAreHarmless() {
        Ballot b = new Ballot(1, 1);
        Message.Accept a = new Message.Accept(1, 3, b, List.of(entry(1, b, "v")), 1);
        node.step(a, now);
        assertEquals(1, drain().committed().size());
        node.step(a, now);
        Ready r = drain();
        assertTrue(r.committed().isEmpty());
        assertInstanceOf(Message.Accepted.class, r.messages().get(0));
        assertEquals(1, node.appliedIndex());
    }

    /** Epochs only grow: a stale master's heartbeat does not move the known epoch back. */
    @Test
    void epochNeverGoesBack() {
        node.step(new Message.Heartbeat(2, 3, new Ballot(3, 2), 0, now), now);
        drain();
        long e = node.epoch();
        node.step(new Message.Heartbeat(1, 3, new Ballot(2, 1), 0, now), now);
        drain();
        assertEquals(e, node.epoch());
        assertEquals(2, node.masterId());
    }

    private Message.PreVoteReply preVote(int from, Ballot b, long fromIndex) {
        node.step(new Message.PreVote(from, 3, b, fromIndex), now);
        Ready r = drain();
        assertNull(r.promised(), "a pre-vote promises nothing");
        assertTrue(r.entries().isEmpty());
        assertFalse(r.sync(), "nothing to make durable");
        return assertInstanceOf(Message.PreVoteReply.class, r.messages().get(0));
    }

    /**
     * CORE-API.md "When may a replica start an election": an acceptor grants a pre-vote only when
     * it would promise the asker now; while its lease promise to a master holds it refuses, even a
     * higher ballot. Either way it changes nothing (no promise, no write) and reports its promised
     * ballot so that the asker can campaign above it.
     */
    @Test
    void preVoteIsRefusedWhileTheLeasePromiseHoldsAndChangesNothing() {
        Ballot m = new Ballot(1, 1);
        long tAck = now;
        node.step(new Message.Heartbeat(1, 3, m, 0, tAck), tAck);
        drain();
        now = tAck + L - 1;
        Message.PreVoteReply r = preVote(2, new Ballot(9, 2), 1);
        assertFalse(r.granted());
        assertEquals(Message.Nack.LEASE_HELD, r.reason());
        assertEquals(m, r.promised());
        now = tAck + L;
        r = preVote(2, new Ballot(9, 2), 1);
        assertTrue(r.granted());
        assertEquals(m, node.promised(), "still promised to the master's ballot only");
        assertEquals(1, node.masterId());
    }

    /** A restarted acceptor may have promised a lease it forgot: no pre-vote either for L. */
    @Test
    void restartedAcceptorRefusesPreVotesForL() {
        assertEquals(Message.Nack.LEASE_HELD, preVote(2, new Ballot(1, 2), 1).reason());
        pastRestartLease();
        assertTrue(preVote(2, new Ballot(1, 2), 1).granted());
    }

    /** As for a Prepare: no grant to an asker that lacks slots this acceptor can no longer report. */
    @Test
    void preVoteIsRefusedWhenTheAskerLacksCompactedSlots() {
        Ballot b = new Ballot(1, 1);
        for (long i = 55; i <= 60; i++) {
            log.entries.put(i, entry(i, b, "v" + i));
        }
        node = new PaxosNode(TestCell.config(3, 5), new RecoveredState(b, 60), log, rnd::nextLong, now);
        pastRestartLease();
        Message.PreVoteReply r = preVote(2, new Ballot(2, 2), 10);
        assertFalse(r.granted());
        assertEquals(Message.Nack.COMPACTED, r.reason());
        assertTrue(preVote(2, new Ballot(2, 2), 58).granted(), "an asker missing only kept slots is fine");
    }

    /**
     * One election at a time: an acceptor that granted a pre-vote backs that asker for a retry
     * period (refusing others, IN_ELECTION), and one that promised a candidate backs it for L/2.
     */
    @Test
    void anAcceptorBacksOneElectionAtATime() {
        pastRestartLease();
        long retry = TestCell.config(3, 5).retryMillis();
        assertTrue(preVote(1, new Ballot(1, 1), 1).granted());
        assertEquals(Message.Nack.IN_ELECTION, preVote(2, new Ballot(1, 2), 1).reason());
        assertTrue(preVote(1, new Ballot(1, 1), 1).granted(), "the same asker again");
        now += retry;
        assertTrue(preVote(2, new Ballot(1, 2), 1).granted(), "the asker it backed had its chance");
        node.step(new Message.Prepare(2, 3, new Ballot(2, 2), 1, now), now);
        assertInstanceOf(Message.Promise.class, drain().messages().get(0));
        now += L / 2 - 1;
        assertEquals(Message.Nack.IN_ELECTION, preVote(4, new Ballot(3, 4), 1).reason());
        now += 1;
        assertTrue(preVote(4, new Ballot(3, 4), 1).granted());
    }

    /**
     * A follower whose lease promise lapsed asks for pre-votes first and persists nothing; a
     * majority of refusals ends the round (it stays a follower and tries again after a backoff);
     * a majority of grants (itself included) starts phase 1, above every promise it was told of.
     */
    @Test
    void followerCampaignsOnlyAfterAMajorityGrantsItsPreVote() {
        now += L + 400; // restart lease and jitter over
        node.tick(now);
        Ready r = drain();
        assertNull(r.promised(), "asking raises no ballot");
        assertEquals(4, r.messages().size());
        Message.PreVote pv = assertInstanceOf(Message.PreVote.class, r.messages().get(0));
        for (int from : new int[] {1, 2, 4}) {
            node.step(new Message.PreVoteReply(from, 3, pv.ballot(), new Ballot(1, 1), false,
                    Message.Nack.LEASE_HELD), now);
        }
        assertFalse(node.hasReady(), "a majority refused: no Prepare");
        assertEquals(Role.FOLLOWER, node.role());
        assertEquals(Ballot.ZERO, node.promised());
        Message.PreVote again = null;
        for (int t = 0; t < 200 && again == null; t++) {
            now += 10;
            node.tick(now);
            if (node.hasReady()) {
                again = assertInstanceOf(Message.PreVote.class, drain().messages().get(0));
            }
        }
        assertTrue(again != null, "a new round after the backoff");
        node.step(new Message.PreVoteReply(1, 3, again.ballot(), new Ballot(7, 1), true, 0), now);
        assertFalse(node.hasReady(), "two of five: no majority yet");
        node.step(new Message.PreVoteReply(2, 3, again.ballot(), Ballot.ZERO, true, 0), now);
        r = drain();
        assertEquals(Role.CANDIDATE, node.role());
        Message.Prepare p = assertInstanceOf(Message.Prepare.class, r.messages().get(0));
        assertEquals(new Ballot(8, 3), p.ballot(), "above the promise a voter reported");
        assertEquals(p.ballot(), r.promised());
    }
}
