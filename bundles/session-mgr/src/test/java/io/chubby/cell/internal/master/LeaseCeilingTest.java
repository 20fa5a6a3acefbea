package io.chubby.cell.internal.master;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The lease-ceiling rule alone (pure): what a master may promise, and when it records, raises or
 * lowers the ceiling. Times are plain numbers (ms).
 */
class LeaseCeilingTest {
    private static final long MAX = 60_000;
    private final LeaseCeiling c = new LeaseCeiling(MAX);

    @Test
    void withSessionsAndNoRecordTheFirstRecordWaitsUntilEveryEarlierPromiseRanOut() {
        c.takeOver(1_000);
        assertEquals(0, c.proposal(1_000, 12_000, 0, true), "not before the takeover settled");
        assertEquals(1_000 + MAX, c.settled(0, true), "an older master may have promised the max lease");
        assertEquals(12_000, c.cap(12_000, 0), "promises what the policy wants meanwhile");
        assertEquals(0, c.proposal(1_000 + MAX - 1, 12_000, 0, true));
        assertEquals(12_000, c.proposal(1_000 + MAX, 12_000, 0, true), "then records it");
    }

    @Test
    void aCellWithNoSessionAtTheTakeoverRecordsAtOnce() {
        c.takeOver(1_000);
        assertEquals(1_000, c.settled(0, false), "nobody can hold a promise");
        assertEquals(12_000, c.proposal(1_000, 12_000, 0, true));
    }

    @Test
    void aRaiseIsProposedToTheNextWholeSecondAndPromisedOnlyOnceRecorded() {
        settledWith(12_000);
        assertEquals(12_000, c.cap(30_200, 12_000), "capped by the record");
        assertEquals(31_000, c.proposal(2_000, 30_200, 12_000, true));
        assertEquals(0, c.proposal(2_001, 30_200, 12_000, true), "one proposal in flight at a time");
        assertEquals(12_000, c.cap(30_200, 12_000), "not before it is applied");
        c.done(1);
        assertEquals(30_200, c.cap(30_200, 31_000), "applied: the longer lease");
        assertEquals(0, c.proposal(3_000, 30_200, 31_000, true), "the same second: nothing to record");
        assertEquals(60_000, c.proposal(3_000, 59_999, 31_000, true), "never beyond the max lease");
    }

    @Test
    void anInheritedCeilingIsLoweredOnlyAfterItRanOutAndCapsPromisesFromTheProposalOn() {
        c.takeOver(1_000);
        c.settled(31_000, true);
        assertEquals(12_000, c.cap(12_000, 31_000));
        assertEquals(0, c.proposal(31_999, 12_000, 31_000, true), "an earlier master's 31 s lease may run");
        assertEquals(12_000, c.proposal(32_000, 12_000, 31_000, true));
        assertEquals(12_000, c.cap(20_000, 31_000), "more wanted before the lowering applied: still 12 s");
        c.done(1);
        assertEquals(12_000, c.cap(20_000, 31_000), "a lowering whose outcome is unknown keeps its cap");
        assertEquals(12_000, c.cap(20_000, 12_000), "applied: the record caps");
        assertEquals(20_000, c.proposal(33_000, 20_000, 12_000, true), "and a raise is the way up again");
    }

    @Test
    void aMasterNeverLowersBelowWhatItPromisedInItsMastership() {
        settledWith(31_000);
        assertEquals(31_000, c.cap(31_000, 31_000), "it promised 31 s");
        assertEquals(0, c.proposal(100_000, 12_000, 31_000, true), "its own 31 s promises may run");
        c.takeOver(200_000);
        c.settled(31_000, true);
        assertEquals(12_000, c.cap(12_000, 31_000));
        assertEquals(12_000, c.proposal(231_000, 12_000, 31_000, true), "its successor lowers it");
    }

    /**
     * A lowering in flight when the lease lapses may still be chosen after the master gets its lease
     * back at the same epoch (no new barrier): its cap outlives the takeover, and the old proposal's
     * completion does not end the new mastership's proposal (found in review).
     */
    @Test
    void aLoweringInFlightAcrossALapseKeepsItsCapAndItsCompletionStaysInItsMastership() {
        c.takeOver(1_000);
        c.settled(31_000, true);
        c.cap(12_000, 31_000);
        long first = c.generation();
        assertEquals(12_000, c.proposal(32_000, 12_000, 31_000, true));
        long second = c.takeOver(40_000); // the lease lapsed and came back at the same epoch
        assertEquals(12_000, c.cap(20_000, 31_000), "the lowering may still be chosen: promises stay within it");
        c.settled(31_000, true);
        c.done(first);
        assertEquals(12_000, c.cap(20_000, 12_000), "it was chosen after all: recorded, the cap goes");
        assertEquals(20_000, c.proposal(41_000, 20_000, 12_000, true), "the new mastership raises");
        c.done(first);
        assertEquals(0, c.proposal(41_001, 20_000, 12_000, true), "still one in flight: the old completion is not it");
        c.done(second);
        assertEquals(20_000, c.proposal(41_002, 20_000, 12_000, true));
    }

    @Test
    void nothingIsProposedUntilEveryMemberAppliesTheCommand() {
        c.takeOver(1_000);
        c.settled(0, false);
        assertEquals(0, c.proposal(1_000, 12_000, 0, false));
        assertEquals(MAX, c.cap(MAX, 0), "unrecorded: up to the max lease, as before the ceiling existed");
    }

    private void settledWith(long recorded) {
        c.takeOver(1_000);
        c.settled(recorded, false);
    }
}
