package io.chubby.paxos.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Whole-cell scripted scenarios (campaign, replicate, partition, stabilize), each citing its rule. */
class CellScenarioTest {

    /** Elects a master in a fresh cell and waits until it may serve. */
    private static int elect(TestCell c) {
        c.elapse(2_500);
        int m = c.master();
        assertNotEquals(0, m, "a master within L + jitter + one round trip");
        assertTrue(c.node(m).canServe(c.now));
        return m;
    }

    /**
     * CONSENSUS.md "Multi-Paxos with a master": a new master runs phase 1, then appends its barrier
     * no-op, and serves only once that is chosen and applied; every replica learns the commit.
     * "Master lease": nobody campaigns before the (restart) lease promise of L lapsed.
     */
    @Test
    void campaignElectsOneMasterWhichServesAfterItsBarrier() {
        TestCell c = new TestCell(5);
        c.elapse(1_400);
        assertEquals(0, c.master(), "restarted acceptors honour an unknown lease for L");
        for (int i = 1; i <= 5; i++) {
            assertEquals(Role.FOLLOWER, c.node(i).role());
        }
        int m = elect(c);
        assertEquals(Role.MASTER, c.node(m).role());
        long epoch = c.node(m).epoch();
        c.elapse(600); // a heartbeat carries the commit index to everyone
        for (int i = 1; i <= 5; i++) {
            assertEquals(m, c.node(i).masterId());
            assertEquals(epoch, c.node(i).epoch());
            assertEquals(1, c.applied.get(i).size(), "the barrier no-op, applied everywhere");
            assertTrue(c.applied.get(i).get(0).isNoop());
        }
    }

    /**
     * "Phase 2 per entry, pipelined and batched; replicas apply strictly in slot order": many
     * proposals between two Readies travel in few Accepts, and all replicas apply the same sequence.
     */
    @Test
    void replicateBatchesAndEveryReplicaAppliesTheSameOrder() {
        TestCell c = new TestCell(5);
        int m = elect(c);
        c.readies.clear();
        for (int k = 0; k < 40; k++) {
            assertTrue(c.propose(m, "v" + k) > 0);
        }
        c.stabilize();
        long accepts = c.readies.stream().flatMap(r -> r.messages().stream())
                .filter(x -> x instanceof Message.Accept).count();
        assertTrue(accepts <= 4 * 3, "40 proposals in at most 3 Accepts (16 entries each) per follower: " + accepts);
        c.elapse(600);
        List<String> expect = c.commands(m);
        assertEquals(40, expect.size());
        assertEquals("v0", expect.get(0));
        for (int i = 1; i <= 5; i++) {
            assertEquals(expect, c.commands(i), "replica " + i);
        }
    }

    /**
     * "Master lease": a master cut off from the majority stops serving once its lease lapses; the
     * others elect a master with a larger epoch only after their promise to the old one lapsed, and
     * at no instant do two replicas hold a valid lease. Chosen entries survive the failover, and
     * the old master steps down when it hears the new ballot after healing.
     */
    @Test
    void partitionedMasterLosesLeaseAndAHigherEpochTakesOver() {
        TestCell c = new TestCell(5);
        int old = elect(c);
        long oldEpoch = c.node(old).epoch();
        c.propose(old, "before");
        c.stabilize();
        c.isolate(old);
        for (int t = 0; t < 400; t++) {
            c.elapse(10);
            c.master(); // throws on two lease holders
            assertTrue(c.propose(old, "lost" + t) < 0 || c.node(old).leaseValid(c.now),
                    "proposals only while the lease is valid");
        }
        assertFalse(c.node(old).canServe(c.now));
        int fresh = c.master();
        assertNotEquals(0, fresh);
        assertNotEquals(old, fresh);
        assertTrue(c.node(fresh).epoch() > oldEpoch);
        c.propose(fresh, "after");
        c.stabilize();
        c.heal();
        c.elapse(1_000);
        assertEquals(Role.FOLLOWER, c.node(old).role());
        for (int i = 1; i <= 5; i++) {
            assertEquals(List.of("before", "after"), c.commands(i), "replica " + i);
        }
    }

    /**
     * A follower cut off from everyone keeps naming its last master (a hint for NOT_MASTER) but
     * stops calling it live once its lease promise lapses; the master likewise once its lease lapses.
     */
    @Test
    void aCutOffFollowerStillNamesItsMasterButNotAsLive() {
        TestCell c = new TestCell(3);
        int m = elect(c);
        c.propose(m, "x");
        c.stabilize();
        int f = m % 3 + 1;
        assertTrue(c.node(f).masterLive(c.now), "bound to a master it hears");
        assertTrue(c.node(m).masterLive(c.now), "the master with a valid lease");
        c.isolate(f);
        c.elapse(3_000);
        assertEquals(m, c.node(f).masterId(), "still names it");
        assertFalse(c.node(f).masterLive(c.now), "not heard from within a lease");
        assertTrue(c.node(m).masterLive(c.now), "the master keeps its lease with the third replica");
        c.heal();
        c.elapse(1_000);
        assertTrue(c.node(f).masterLive(c.now), "heard again");
    }

    /**
     * "A replica that crashes restarts from its own disk": a follower that was down catches up
     * from the master's log (re-sent in the master's ballot) and applies the same sequence.
     */
    @Test
    void restartedFollowerCatchesUp() {
        TestCell c = new TestCell(3);
        int m = elect(c);
        int f = m == 1 ? 2 : 1;
        c.nodes.remove(f);
        for (int k = 0; k < 30; k++) {
            c.propose(m, "x" + k);
            c.stabilize();
        }
        c.start(f);
        c.elapse(2_000);
        assertEquals(c.commands(m), c.commands(f));
        assertEquals(c.node(m).commitIndex(), c.node(f).commitIndex());
    }

    /**
     * "A replica that needs slots below the oldest kept slot installs a snapshot from the master":
     * with the master's log compacted, the core flags the follower in Ready.needSnapshot, and after
     * snapshotInstalled(X) the follower continues from X + 1.
     */
    @Test
    void compactedLogLeadsToSnapshotThenLogCatchUp() {
        TestCell c = new TestCell(3);
        int m = elect(c);
        int f = m == 1 ? 2 : 1;
        c.nodes.remove(f);
        for (int k = 0; k < 20; k++) {
            c.propose(m, "y" + k);
            c.stabilize();
        }
        long snap = c.node(m).appliedIndex();
        c.logs.get(m).entries.headMap(snap - 2).clear(); // compaction keeps the last 3 entries
        c.logs.get(f).entries.clear();
        c.applied.get(f).clear();
        c.start(f);
        c.elapse(2_000);
        assertTrue(c.snapshotRequests.get(m).contains(f), "master asks for a snapshot transfer");
        c.applied.get(f).addAll(c.applied.get(m).subList(0, (int) snap)); // the edge installs it
        c.node(f).snapshotInstalled(snap);
        c.propose(m, "z");
        c.elapse(1_000);
        assertEquals(c.commands(m), c.commands(f));
    }

    /** A cell of one replica is its own majority: it elects itself and commits without peers. */
    @Test
    void singleReplicaCellCommitsAlone() {
        TestCell c = new TestCell(1);
        int m = elect(c);
        assertEquals(1, m);
        for (int k = 0; k < 5; k++) {
            assertTrue(c.propose(1, "s" + k) > 0);
            c.stabilize();
        }
        assertEquals(List.of("s0", "s1", "s2", "s3", "s4"), c.commands(1));
    }

    /**
     * One-way partition (Jepsen-style): a master that can send but not hear loses its lease (no
     * acknowledgements), stops heartbeating after another lease period so its followers' promises
     * lapse, and the others elect a master that hears them. Never two lease holders meanwhile.
     */
    @Test
    void deafMasterGivesWayToOneThatCanHear() {
        TestCell c = new TestCell(5);
        int deaf = elect(c);
        for (int j = 1; j <= 5; j++) {
            if (j != deaf) {
                c.cut.add(((long) j << 32) | deaf); // j -> deaf is dropped; deaf -> j still works
            }
        }
        int fresh = 0;
        for (int t = 0; t < 800 && (fresh == 0 || fresh == deaf); t++) {
            c.elapse(10);
            fresh = c.master();
        }
        assertNotEquals(0, fresh);
        assertNotEquals(deaf, fresh);
        for (int t = 0; t < 100 && !c.node(fresh).canServe(c.now); t++) {
            c.elapse(10);
        }
        assertTrue(c.propose(fresh, "heard") > 0);
        c.elapse(100);
        assertEquals(List.of("heard"), c.commands(fresh));
    }

    /**
     * CONSENSUS.md "Failover time is about L + one phase 1 round; the default failover is under
     * 2 s": with default timing (L = 1.5 s, renew 0.5 s, jitter 0.3 s) and an instant network, a
     * crashed master's successor can serve within 2 s, with a larger epoch.
     */
    @Test
    void failoverAfterMasterCrashIsUnderTwoSeconds() {
        TestCell c = new TestCell(5);
        int old = elect(c);
        long oldEpoch = c.node(old).epoch();
        c.elapse(250); // somewhere between two heartbeats
        c.nodes.remove(old);
        long crashedAt = c.now;
        int fresh = 0;
        while (fresh == 0 && c.now - crashedAt < 5_000) {
            c.elapse(10);
            for (var e : c.nodes.entrySet()) {
                if (e.getValue().canServe(c.now)) {
                    fresh = e.getKey();
                }
            }
        }
        assertNotEquals(0, fresh);
        assertTrue(c.node(fresh).epoch() > oldEpoch);
        assertTrue(c.now - crashedAt < 2_000, "failover took " + (c.now - crashedAt) + " ms");
    }

    /** Cuts every link into replica {@code to} (it hears nobody; the others still hear it). */
    private static void deafen(TestCell c, int to) {
        for (int j = 1; j <= c.n; j++) {
            if (j != to) {
                c.cut.add(((long) j << 32) | to);
            }
        }
    }

    /**
     * Issue 24, CORE-API.md "When may a replica start an election": a follower restarted after a
     * crash, that hears nothing from anyone for 3 L (as while its peers' links reconnect) and then
     * needs a snapshot, asks for pre-votes but never campaigns: every other replica honours the
     * master's lease and refuses. Its promised ballot never grows, so it never refuses the master;
     * the master keeps a valid lease and its epoch throughout, and the follower catches up.
     */
    @Test
    void restartedReplicaThatCannotHearTheMasterDoesNotDisturbIt() {
        TestCell c = new TestCell(3);
        int m = elect(c);
        long epoch = c.node(m).epoch();
        int f = m == 1 ? 2 : 1;
        c.nodes.remove(f); // crash
        for (int k = 0; k < 20; k++) {
            c.propose(m, "w" + k);
            c.stabilize();
        }
        long snap = c.node(m).appliedIndex();
        c.logs.get(m).entries.headMap(snap - 2).clear(); // the master compacted past the follower
        Ballot promisedBefore = c.logs.get(f).promised;
        c.start(f);
        deafen(c, f);
        long polls = 0;
        for (int t = 0; t < 450; t++) { // 4.5 s: the restart lease, then several pre-vote rounds
            int before = c.readies.size();
            c.elapse(10);
            for (Ready r : c.readies.subList(before, c.readies.size())) {
                polls += r.messages().stream().filter(x -> x instanceof Message.PreVote && x.from() == f).count();
            }
            assertEquals(Role.FOLLOWER, c.node(f).role(), "no campaign at t=" + t);
            assertTrue(c.node(m).leaseValid(c.now), "the master keeps its lease at t=" + t);
            assertEquals(epoch, c.node(m).epoch());
        }
        assertTrue(polls > 0, "the deaf replica asked for pre-votes");
        assertEquals(promisedBefore, c.node(f).promised(), "a pre-vote raises no ballot");
        c.heal();
        c.elapse(1_600); // the master flags the follower for a snapshot (at most once per L)
        assertTrue(c.snapshotRequests.get(m).contains(f));
        c.applied.get(f).clear();
        c.applied.get(f).addAll(c.applied.get(m).subList(0, (int) snap)); // the edge installs it
        c.node(f).snapshotInstalled(snap);
        c.propose(m, "after");
        c.elapse(1_000);
        assertEquals(c.commands(m), c.commands(f));
        assertEquals(epoch, c.node(m).epoch(), "one master, one epoch, the whole time");
        assertEquals(epoch, c.node(f).epoch());
    }

    /**
     * CORE-API.md "When may a replica start an election": pre-vote never stops an election when
     * the master is really gone. A master whose every outgoing link is cut (it still hears them)
     * is gone for the others: their lease promises lapse L after its last heartbeat, pre-votes
     * find a majority whose promises lapsed too, and they elect a new master with a larger epoch
     * within L + jitter + a few round trips, never while the old one still holds its lease.
     */
    @Test
    void replicasThatCannotHearTheMasterElectOnceTheirLeasePromisesLapse() {
        TestCell c = new TestCell(5);
        int old = elect(c);
        long oldEpoch = c.node(old).epoch();
        for (int j = 1; j <= 5; j++) {
            if (j != old) {
                c.cut.add(((long) old << 32) | j); // old -> j is dropped; j -> old still works
            }
        }
        long cutAt = c.now;
        int fresh = 0;
        while (fresh == 0 && c.now - cutAt < 5_000) {
            c.elapse(10);
            c.master(); // throws on two lease holders
            for (var e : c.nodes.entrySet()) {
                if (e.getKey() != old && e.getValue().canServe(c.now)) {
                    fresh = e.getKey();
                }
            }
        }
        assertNotEquals(0, fresh);
        assertTrue(c.node(fresh).epoch() > oldEpoch);
        assertTrue(c.now - cutAt < 2_000, "elected " + (c.now - cutAt) + " ms after the master fell silent");
        assertFalse(c.node(old).canServe(c.now));
    }

    /**
     * Check-quorum: a master cut off from the majority (with one follower of five) stops serving
     * when its lease lapses and steps down one lease later; the majority elects a new master. The
     * minority's pre-votes find no majority, so neither of them raises a ballot, and after healing
     * they follow the new master without making it re-run phase 1 (its epoch stays).
     */
    @Test
    void masterCutOffFromTheMajorityStepsDownAndTheMinorityDoesNotDisturbAfterHealing() {
        TestCell c = new TestCell(5);
        int old = elect(c);
        int buddy = old == 1 ? 2 : 1;
        for (int a = 1; a <= 5; a++) {
            for (int b = 1; b <= 5; b++) {
                boolean aSide = a == old || a == buddy;
                boolean bSide = b == old || b == buddy;
                if (aSide != bSide) {
                    c.cut.add(((long) a << 32) | b);
                }
            }
        }
        Ballot buddyPromised = c.node(buddy).promised();
        int fresh = 0;
        for (int t = 0; t < 600; t++) { // 6 s
            c.elapse(10);
            int holder = c.master(); // throws on two lease holders
            if (holder != 0 && holder != old && holder != buddy) {
                fresh = holder;
            }
        }
        assertNotEquals(0, fresh, "the majority elected a master");
        long epoch = c.node(fresh).epoch();
        assertEquals(Role.FOLLOWER, c.node(old).role(), "the cut-off master stepped down");
        assertFalse(c.node(old).canServe(c.now));
        assertTrue(c.node(old).promised().compareTo(Ballot.ofEpoch(epoch)) < 0, "the old master raised no ballot");
        assertEquals(buddyPromised, c.node(buddy).promised(), "its follower raised no ballot");
        c.heal();
        c.elapse(1_000);
        assertEquals(epoch, c.node(fresh).epoch(), "healing changed no master");
        assertTrue(c.node(fresh).canServe(c.now));
        assertTrue(c.propose(fresh, "after") > 0);
        c.elapse(600);
        for (int i = 1; i <= 5; i++) {
            assertEquals(fresh, c.node(i).masterId(), "replica " + i);
            assertEquals(List.of("after"), c.commands(i), "replica " + i);
        }
    }
}
