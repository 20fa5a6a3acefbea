package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link MasterPlacement}'s rules on facts made by hand (replica 1 of members 1, 2, 3). */
class MasterPlacementTest {
    private static final List<Integer> MEMBERS = List.of(3, 1, 2);
    private static final Set<Integer> ALL_UP = Set.of(1, 2, 3);
    private static final PlacementSettings SETTINGS = new PlacementSettings(10_000, 0.7, 30_000);

    private static MasterPlacement.GroupFacts mastered(int group, Set<Integer> caughtUp, long applied) {
        return new MasterPlacement.GroupFacts(group, 1, true, false, false, caughtUp, applied);
    }

    private static MasterPlacement.GroupFacts elsewhere(int group, int master) {
        return new MasterPlacement.GroupFacts(group, master, false, false, false, Set.of(), 0);
    }

    @Test
    void homesAreTheSortedMembersInTurn() {
        MasterPlacement p = new MasterPlacement(1, MEMBERS, SETTINGS);
        assertEquals(List.of(1, 2, 3, 1, 2), List.of(p.home(0), p.home(1), p.home(2), p.home(3), p.home(4)));
    }

    @Test
    void aGroupGoesHomeOnceItsHomeWasCaughtUpForTheSettleTime() {
        MasterPlacement p = new MasterPlacement(1, MEMBERS, SETTINGS);
        List<MasterPlacement.GroupFacts> facts = List.of(mastered(0, ALL_UP, 0), mastered(1, ALL_UP, 0),
                elsewhere(2, 3));
        assertEquals(Optional.empty(), p.next(1_000, facts, 0.1), "home 2 just became caught up");
        assertEquals(Optional.empty(), p.next(10_999, facts, 0.1));
        assertEquals(Optional.of(new MasterPlacement.Move(1, 2, false, "home")), p.next(11_000, facts, 0.1));
    }

    @Test
    void aBreakInCatchingUpRestartsTheSettleTime() {
        MasterPlacement p = new MasterPlacement(1, MEMBERS, SETTINGS);
        p.next(0, List.of(mastered(0, ALL_UP, 0), mastered(1, ALL_UP, 0)), 0);
        p.next(5_000, List.of(mastered(0, ALL_UP, 0), mastered(1, Set.of(1, 3), 0)), 0); // 2 fell behind
        assertEquals(Optional.empty(), p.next(12_000, List.of(mastered(0, ALL_UP, 0), mastered(1, ALL_UP, 0)), 0));
        assertTrue(p.next(22_000, List.of(mastered(0, ALL_UP, 0), mastered(1, ALL_UP, 0)), 0).isPresent());
    }

    @Test
    void oneGroupNeverMovesNorDoesAPinnedOne() {
        MasterPlacement p = new MasterPlacement(1, MEMBERS, SETTINGS);
        List<MasterPlacement.GroupFacts> one = List.of(new MasterPlacement.GroupFacts(1, 1, true, false, false,
                ALL_UP, 0));
        for (long t = 0; t <= 100_000; t += 500) {
            assertEquals(Optional.empty(), p.next(t, one, 0.99), "a cell of one group keeps its master");
        }
        List<MasterPlacement.GroupFacts> pinned = List.of(mastered(0, ALL_UP, 0),
                new MasterPlacement.GroupFacts(1, 1, true, false, true, ALL_UP, 0));
        for (long t = 0; t <= 100_000; t += 500) {
            assertEquals(Optional.empty(), p.next(t, pinned, 0.1), "an operator placed it here");
        }
    }

    @Test
    void nothingMovesWhileAGroupElectsOrAHandoffRuns() {
        MasterPlacement p = new MasterPlacement(1, MEMBERS, SETTINGS);
        List<MasterPlacement.GroupFacts> electing = List.of(mastered(0, ALL_UP, 0), mastered(1, ALL_UP, 0),
                elsewhere(2, 0));
        p.next(0, electing, 0);
        assertEquals(Optional.empty(), p.next(20_000, electing, 0));
        List<MasterPlacement.GroupFacts> handing = List.of(mastered(0, ALL_UP, 0), mastered(1, ALL_UP, 0),
                new MasterPlacement.GroupFacts(2, 1, true, true, false, ALL_UP, 0));
        assertEquals(Optional.empty(), p.next(30_000, handing, 0));
        assertTrue(p.next(30_000, List.of(mastered(0, ALL_UP, 0), mastered(1, ALL_UP, 0), elsewhere(2, 3)), 0)
                .isPresent(), "the settle time ran on meanwhile");
    }

    @Test
    void anOverloadedReplicaHandsItsBusiestGroupToTheLeastLoadedCaughtUpOneOncePerPeriod() {
        // Replica 1 masters groups 0, 3 and 6 (all home here), 2 masters 1, 3 masters 2 and 5.
        MasterPlacement p = new MasterPlacement(1, MEMBERS, SETTINGS);
        List<MasterPlacement.GroupFacts> facts = new ArrayList<>();
        long[] applied = {0, 0, 0};
        for (long t = 0; t <= 30_000; t += 500) {
            applied[0] += 10;
            applied[1] += 50; // group 3 is the busiest
            applied[2] += 5;
            facts.clear();
            facts.add(mastered(0, ALL_UP, applied[0]));
            facts.add(elsewhere(1, 2));
            facts.add(elsewhere(2, 3));
            facts.add(mastered(3, ALL_UP, applied[1]));
            facts.add(elsewhere(5, 3));
            facts.add(mastered(6, ALL_UP, applied[2]));
            Optional<MasterPlacement.Move> m = p.next(t, facts, 0.85);
            if (t < 30_000) {
                assertEquals(Optional.empty(), m, "not overloaded for 30 s yet at " + t);
            } else {
                assertEquals(Optional.of(new MasterPlacement.Move(3, 2, true, "overload")), m);
            }
        }
        assertEquals(Optional.empty(), p.next(30_500, facts, 0.85), "one move per period");
        assertEquals(Optional.empty(), p.next(45_000, facts, 0.85));
    }

    @Test
    void noOverloadMoveWhenItWouldNotEvenTheLoadOrNobodyIsCaughtUp() {
        MasterPlacement p = new MasterPlacement(1, MEMBERS, SETTINGS);
        List<MasterPlacement.GroupFacts> even = List.of(mastered(0, ALL_UP, 100), elsewhere(1, 2), elsewhere(2, 3));
        List<MasterPlacement.GroupFacts> alone = List.of(mastered(0, Set.of(1), 100), mastered(3, Set.of(1), 100),
                elsewhere(1, 2));
        for (long t = 0; t <= 60_000; t += 1_000) {
            assertEquals(Optional.empty(), p.next(t, even, 0.95), "one group each already");
            assertEquals(Optional.empty(), p.next(t, alone, 0.95), "no caught-up replica to take it");
        }
    }

    @Test
    void aQuietSecondEndsTheOverload() {
        MasterPlacement p = new MasterPlacement(1, MEMBERS, SETTINGS);
        List<MasterPlacement.GroupFacts> facts = List.of(mastered(0, ALL_UP, 0), mastered(3, ALL_UP, 0),
                elsewhere(1, 2));
        p.next(0, facts, 0.9);
        p.next(20_000, facts, 0.5);
        assertEquals(Optional.empty(), p.next(30_000, facts, 0.9));
        assertTrue(p.next(60_000, facts, 0.9).isPresent());
    }

    @Test
    void anOverloadMoveLeavesPinnedGroupsWhereTheyAre() {
        MasterPlacement p = new MasterPlacement(1, MEMBERS, SETTINGS);
        MasterPlacement.GroupFacts pinnedBusy = new MasterPlacement.GroupFacts(3, 1, true, false, true, ALL_UP, 0);
        p.next(0, List.of(mastered(0, ALL_UP, 0), pinnedBusy, mastered(6, ALL_UP, 0), elsewhere(1, 2)), 0.9);
        MasterPlacement.GroupFacts pinnedLater = new MasterPlacement.GroupFacts(3, 1, true, false, true, ALL_UP, 9000);
        assertEquals(Optional.of(new MasterPlacement.Move(6, 3, true, "overload")), p.next(30_000,
                List.of(mastered(0, ALL_UP, 10), pinnedLater, mastered(6, ALL_UP, 20), elsewhere(1, 2)), 0.9),
                "the busiest unpinned group moves; the pinned one (busier) stays");
    }
}
