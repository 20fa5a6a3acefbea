package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When pending proposals fail NOT_MASTER, and when a lapse at the same epoch keeps them. */
class PendingProposalRuleTest {

    @Test
    void aLapseAtTheSameEpochWhileStillMasterKeepsThem() {
        assertFalse(PendingProposalRule.failNow(true, true, true, false, false, 5));
        assertTrue(PendingProposalRule.keptAcrossLapse(true, true, true));
    }

    @Test
    void aLossWithAnEpochChangeFailsThem() {
        assertTrue(PendingProposalRule.failNow(true, true, false, false, false, 5));
        assertFalse(PendingProposalRule.keptAcrossLapse(true, true, false));
    }

    @Test
    void aRoleThatIsNoLongerMasterFailsThemLostOrNot() {
        assertTrue(PendingProposalRule.failNow(true, false, true, false, false, 5), "stepped down at the loss");
        assertTrue(PendingProposalRule.failNow(false, false, true, false, false, 5), "stepped down a lease after a lapse");
        assertFalse(PendingProposalRule.keptAcrossLapse(true, false, true));
    }

    @Test
    void noLossAndStillMasterKeepsThem() {
        assertFalse(PendingProposalRule.failNow(false, true, true, false, false, 5));
        assertFalse(PendingProposalRule.failNow(false, true, false, false, false, 5));
        assertFalse(PendingProposalRule.keptAcrossLapse(false, true, true), "no loss: nothing to keep across");
    }

    @Test
    void aHandoverKeepsThemWhileStillMasterAndTheKeepingWindowAfterItsStepDown() {
        assertFalse(PendingProposalRule.failNow(true, true, false, true, false, 5), "handing over: they commit via the target");
        assertFalse(PendingProposalRule.failNow(true, false, false, false, true, 5), "stepped down by a handoff: kept for L");
        assertFalse(PendingProposalRule.failNow(false, false, false, true, true, 5));
        assertTrue(PendingProposalRule.failNow(false, false, false, true, false, 5),
                "no longer master and the keeping window over: what waits fails");
    }

    @Test
    void nothingPendingFailsOnlyOnALossThatIsNoSameEpochLapse() {
        // Failing nothing still cancels the snapshot transfers of a replica that stops being master.
        assertTrue(PendingProposalRule.failNow(true, false, true, false, false, 0));
        assertTrue(PendingProposalRule.failNow(true, true, false, false, false, 0));
        assertFalse(PendingProposalRule.failNow(true, true, true, false, false, 0));
        assertFalse(PendingProposalRule.failNow(false, false, true, false, false, 0));
    }

    /** Apart from a lapse at the same epoch, the rule is the one the loop had before (every input). */
    @Test
    void everyOtherCaseIsTheRuleOfBefore() {
        boolean[] tf = {false, true};
        for (boolean lost : tf) {
            for (boolean master : tf) {
                for (boolean sameEpoch : tf) {
                    for (boolean handingOver : tf) {
                        for (boolean keeping : tf) {
                            for (int pending : new int[] {0, 3}) {
                                boolean before = (lost && !handingOver && !keeping)
                                        || (!master && pending > 0 && !keeping);
                                boolean lapse = PendingProposalRule.keptAcrossLapse(lost, master, sameEpoch);
                                boolean now = PendingProposalRule.failNow(lost, master, sameEpoch, handingOver, keeping,
                                        pending);
                                assertEquals(before && !lapse, now, "lost=" + lost + " master=" + master
                                        + " sameEpoch=" + sameEpoch + " handingOver=" + handingOver + " keeping="
                                        + keeping + " pending=" + pending);
                            }
                        }
                    }
                }
            }
        }
    }
}
