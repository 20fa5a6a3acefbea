package io.chubby.paxos.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * CORE-API.md "Changing the members": configurations in the log, one replica at a time, in
 * isolation, joint commit of the entry, phase 1 over every configuration of its range, leases
 * over every configuration in play. {@link TestCell#master} asserts at every call that no two
 * replicas hold a valid lease.
 */
class MembershipTest {

    private static int elect(TestCell c) {
        return c.electMaster();
    }

    private static Configuration conf(Integer... ids) {
        return Configuration.of(List.of(ids));
    }

    /** Adds {@code id} as a learner, lets it catch up, and proposes the configuration with it. */
    private static void add(TestCell c, int m, int id) {
        assertTrue(c.node(m).addLearner(id, c.now));
        c.elapse(600);
        assertTrue(c.node(m).caughtUp(id, c.now), "the learner caught up");
        Set<Integer> next = new java.util.TreeSet<>(c.node(m).configuration().members());
        next.add(id);
        change(c, m, Configuration.of(next));
    }

    private static void change(TestCell c, int m, Configuration next) {
        long index = c.node(m).proposeMembers(next, "addresses".getBytes(), c.now);
        assertTrue(index > 0, "proposed " + next);
        assertEquals(next, c.node(m).configuration(), "in effect for counting once written");
        assertTrue(c.node(m).configurationChanging());
        assertEquals(-1, c.propose(m, "during the change"), "nothing else until the entry commits");
        c.stabilize();
        assertFalse(c.node(m).configurationChanging(), "committed within a round trip");
        assertEquals(next, c.node(m).committedConfiguration());
    }

    @Test
    void theConfigurationRoundTripsThroughAnEntryValue() {
        Configuration c = conf(3, 1, 200);
        byte[] v = c.encode(new byte[] {7, 8});
        assertTrue(Configuration.isConfiguration(v));
        assertEquals(c, Configuration.decode(v));
        assertEquals(List.of((byte) 7, (byte) 8), List.of(Configuration.attachment(v)[0], Configuration.attachment(v)[1]));
        assertNull(Configuration.decode(new byte[] {0x0a, 1, 2}), "a protobuf command is no configuration");
        assertNull(Configuration.decode(new byte[] {0, 'M', 3, 1, 2}), "truncated");
        assertNull(Configuration.decode(new byte[] {0, 'M', 2, 1, 1}), "duplicate member");
        assertTrue(conf(1, 2, 3).oneApart(conf(1, 2, 3, 4)));
        assertTrue(conf(1, 2, 3).oneApart(conf(1, 2)));
        assertFalse(conf(1, 2, 5).oneApart(conf(1, 2, 6)), "a one-step replace is two changes");
        assertFalse(conf(1, 2, 3).oneApart(conf(1, 2, 3)));
    }

    @Test
    void growsFromThreeToFiveAndTheNewMembersCount() {
        TestCell c = new TestCell(5, 3);
        int m = elect(c);
        c.propose(m, "before");
        c.stabilize();
        assertEquals(Role.FOLLOWER, c.node(4).role(), "a joining replica does not campaign");
        add(c, m, 4);
        add(c, m, 5);
        assertTrue(c.propose(m, "after") > 0);
        c.elapse(600);
        for (int i = 1; i <= 5; i++) {
            assertEquals(List.of("before", "after"), c.commands(i), "replica " + i);
            assertEquals(List.of(conf(1, 2, 3, 4), conf(1, 2, 3, 4, 5)), c.configurations(i), "replica " + i);
        }
        // The new members are needed now: with two of the original three cut off, 1 of 3 + 4 + 5
        // is a majority of five and elects a master; without the new members it could not.
        int keep = m == 1 ? 1 : m;
        for (int i = 1; i <= 3; i++) {
            if (i != keep) {
                c.isolate(i);
            }
        }
        c.elapse(4_000);
        int m2 = c.master();
        assertNotEquals(0, m2, "three of five elect a master");
        assertTrue(c.propose(m2, "with the new members") > 0);
        c.elapse(600);
        assertEquals(List.of("before", "after", "with the new members"), c.commands(4));
    }

    @Test
    void shrinksFromFiveToThreeAndTheRemovedNeverCampaign() {
        TestCell c = new TestCell(5);
        int m = elect(c);
        int[] gone = m >= 4 ? new int[] {1, 2} : new int[] {4, 5};
        Set<Integer> next = new java.util.TreeSet<>(List.of(1, 2, 3, 4, 5));
        for (int g : gone) {
            next.remove(g);
            change(c, m, Configuration.of(next));
        }
        assertTrue(c.propose(m, "three members") > 0);
        c.elapse(600);
        // One of the three may now be lost: two of three still decide; the removed ones, cut off
        // from everyone, never campaign (no epoch of theirs anywhere) and serve nothing.
        int survivor = next.stream().filter(i -> i != m).findFirst().orElseThrow();
        int lost = next.stream().filter(i -> i != m && i != survivor).findFirst().orElseThrow();
        c.isolate(lost);
        for (int g : gone) {
            c.isolate(g);
        }
        assertTrue(c.propose(m, "two of three") > 0);
        c.elapse(5_000);
        for (int g : gone) {
            assertEquals(Role.FOLLOWER, c.node(g).role(), "removed replica " + g + " never campaigns");
        }
        assertEquals(m, c.master());
        assertEquals(List.of("three members", "two of three"), c.commands(survivor));
    }

    @Test
    void aMasterThatRemovesItselfHandsOverWithinMilliseconds() {
        TestCell c = new TestCell(5);
        int m = elect(c);
        c.propose(m, "x");
        c.stabilize();
        Set<Integer> next = new java.util.TreeSet<>(List.of(1, 2, 3, 4, 5));
        next.remove(m);
        long index = c.node(m).proposeMembers(Configuration.of(next), null, c.now);
        assertTrue(index > 0);
        assertFalse(c.node(m).canServe(c.now), "a master outside its latest configuration serves nothing");
        long start = c.now;
        int m2;
        do {
            c.elapseByMs(1, false);
            m2 = c.master();
            assertTrue(c.now - start < 200, "handed over, not a lease wait");
        } while (m2 == 0 || m2 == m || !c.node(m2).canServe(c.now));
        assertTrue(next.contains(m2));
        assertEquals(Role.FOLLOWER, c.node(m).role());
        assertTrue(c.propose(m2, "y") > 0);
        c.elapse(600);
        assertEquals(List.of("x", "y"), c.commands(m2));
        c.elapse(5_000);
        assertEquals(m2, c.master(), "the removed replica stays out");
    }

    @Test
    void changesThatBreakTheRulesAreRefused() {
        TestCell c = new TestCell(5, 3);
        int m = elect(c);
        int f = m % 3 + 1;
        assertEquals(-1, c.node(f).proposeMembers(conf(1, 2, 3, 4), null, c.now), "not master");
        assertEquals(-1, c.node(m).proposeMembers(conf(1, 2, 3, 4, 5), null, c.now), "two replicas at once");
        assertEquals(-1, c.node(m).proposeMembers(conf(1, 2, 4), null, c.now), "a one-step replace");
        assertEquals(-1, c.node(m).propose(conf(1, 2, 3, 4).encode(null), c.now), "no configuration as a command");
        assertEquals(-1, c.node(m).proposeMembers(conf(1, 2, 3, 4), null, c.now), "4 is not caught up (no learner)");
        assertTrue(c.node(m).addLearner(4, c.now));
        c.elapse(600);
        c.propose(m, "in flight");
        assertEquals(-2, c.node(m).proposeMembers(conf(1, 2, 3, 4), null, c.now), "entries in flight: ask again");
        assertEquals(-1, c.propose(m, "held back"), "new proposals wait while the change waits");
        c.stabilize();
        assertTrue(c.node(m).proposeMembers(conf(1, 2, 3, 4), null, c.now) > 0, "once they committed");
        assertEquals(-1, c.node(m).proposeMembers(conf(1, 2, 3), null, c.now), "one change at a time");
    }

    /**
     * The dead member of a three-member cell is replaced: a fourth replica is added while it is
     * down (the master, the live follower and the new member hold a majority of both
     * configurations), then the dead one is removed. The rule first asked every member of the new
     * configuration to be caught up, so nothing could replace it (found by the real-process
     * MembershipIT). A change whose majorities are not up is still refused.
     */
    @Test
    void theDeadMemberOfThreeIsReplacedByAddingAFourthThenRemovingIt() {
        TestCell c = new TestCell(5, 3);
        int m = elect(c);
        c.propose(m, "before");
        c.stabilize();
        int f = m % 3 + 1;
        int dead = 6 - m - f;
        assertTrue(c.node(m).addLearner(4, c.now));
        c.isolate(dead);
        c.isolate(f);
        c.elapse(1_100); // silent for over two renew periods: not caught up; the master's lease still runs
        assertTrue(c.node(m).canServe(c.now));
        assertTrue(c.node(m).caughtUp(4, c.now));
        assertEquals(-1, c.node(m).proposeMembers(conf(1, 2, 3, 4), null, c.now),
                "the master alone is no majority of {1,2,3}: the entry could not commit");
        c.heal();
        c.isolate(dead);
        c.elapse(600);
        add(c, m, 4);
        Set<Integer> next = new java.util.TreeSet<>(List.of(1, 2, 3, 4));
        next.remove(dead);
        change(c, m, Configuration.of(next));
        assertTrue(c.propose(m, "after") > 0);
        c.elapse(600);
        for (int i : next) {
            assertEquals(List.of("before", "after"), c.commands(i), "replica " + i);
            assertEquals(Configuration.of(next), c.node(i).committedConfiguration(), "replica " + i);
        }
    }

    /**
     * A cell of {1,2,3} (replicas 4, 5 joining) whose master proposes {1,2,3,4} while the third
     * original member and 4 are cut off: the master and one follower are a majority of the old
     * configuration, not of the new one (three of four). Returns the master.
     */
    private static int changeWithoutANewMajority(TestCell c) {
        int m = elect(c);
        int f = m % 3 + 1;
        assertTrue(c.node(m).addLearner(4, c.now));
        c.elapse(600); // caught up (and answering) when the change is proposed, cut off right after
        c.isolate(6 - m - f);
        c.isolate(4);
        assertTrue(c.node(m).proposeMembers(conf(1, 2, 3, 4), null, c.now) > 0);
        return m;
    }

    @Test
    void theEntryNeedsAMajorityOfTheNewConfigurationToo() {
        TestCell c = new TestCell(5, 3);
        int m = changeWithoutANewMajority(c);
        c.elapse(300);
        assertTrue(c.node(m).configurationChanging(), "a majority of the old configuration is not enough");
        assertEquals(-1, c.propose(m, "blocked"));
        c.heal();
        c.elapse(600);
        assertFalse(c.node(m).configurationChanging());
        assertTrue(c.propose(m, "after") > 0);
    }

    @Test
    void aLeaseWhileChangingNeedsMajoritiesOfBothConfigurations() {
        TestCell c = new TestCell(5, 3);
        int m = changeWithoutANewMajority(c);
        // Only m and f answer: a majority of {1,2,3} but not of {1,2,3,4}. The lease is not renewed
        // (it lapses within L), so a candidate counting the new configuration could never be
        // refused by a lease the old one alone granted.
        c.elapse(2_000);
        assertFalse(c.node(m).leaseValid(c.now), "no lease from the old configuration alone");
    }

    @Test
    void phaseOneNeedsAMajorityOfEveryConfigurationItFinds() {
        TestCell c = new TestCell(5, 3);
        PaxosConfig cfg = TestCell.config(1, 3);
        Configs configs = new Configs(conf(1, 2, 3));
        Ballot b = new Ballot(7, 1);
        Leader l = new Leader(cfg, configs, b, 10, c.now);
        Entry grow = new Entry(12, new Ballot(5, 2), new Ballot(5, 2).epoch(), conf(1, 2, 3, 4, 5).encode(null));
        assertFalse(l.promised(new Message.Promise(1, 1, b, 10, List.of(), 9, 0)));
        // 2 reports a configuration entry in the range: {1,2} is a majority of {1,2,3} but not of
        // {1,2,3,4,5}, whose majorities may have chosen values above index 12.
        assertFalse(l.promised(new Message.Promise(2, 1, b, 10, List.of(grow), 9, 0)));
        assertTrue(l.voters().containsAll(List.of(4, 5)), "Prepares go to the new members too");
        assertTrue(l.promised(new Message.Promise(4, 1, b, 10, List.of(), 9, 0)),
                "1, 2 and 4: a majority of both configurations");
        Entry below = new Entry(8, new Ballot(5, 2), 1, conf(1, 2, 3, 4, 5).encode(null));
        Leader l2 = new Leader(cfg, configs, b, 10, c.now);
        l2.promised(new Message.Promise(1, 1, b, 10, List.of(), 9, 0));
        assertTrue(l2.promised(new Message.Promise(2, 1, b, 10, List.of(below), 9, 0)),
                "an entry below the range (already chosen and in the base) adds nothing");
    }

    @Test
    void aRestartedReplicaKeepsItsConfigurationFromItsLogAndState() {
        TestCell c = new TestCell(5, 3);
        int m = elect(c);
        add(c, m, 4);
        c.propose(m, "z");
        c.elapse(600);
        int f = m % 3 + 1;
        c.nodes.remove(f);
        c.start(f);
        assertEquals(conf(1, 2, 3, 4), c.node(f).committedConfiguration());
        c.nodes.remove(4);
        c.start(4);
        assertEquals(conf(1, 2, 3, 4), c.node(4).committedConfiguration());
        c.elapse(600);
        assertEquals(List.of("z"), c.commands(4));
    }
}
