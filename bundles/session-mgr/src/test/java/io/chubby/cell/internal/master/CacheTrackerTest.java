package io.chubby.cell.internal.master;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.testkit.MutableClock;
import org.junit.jupiter.api.Test;

/** The tracker's view of sessions that lost their claims (issue 25), without the rest of the master. */
class CacheTrackerTest {
    private final CacheTracker tracker = new CacheTracker((session, inv) -> true, new MutableClock(), () -> true);

    @Test
    void aDroppedSessionReadsUncacheableUntilItAcknowledgesThatDrop() {
        assertTrue(tracker.registerRead(1, "/f"));
        tracker.dropped(1, 10);
        assertFalse(tracker.registerRead(1, "/f"), "dropped: not signed up again");
        tracker.dropAcked(1, 9);
        assertFalse(tracker.registerRead(1, "/f"), "an older drop's acknowledgement does not count");
        tracker.dropAcked(1, 10);
        assertTrue(tracker.registerRead(1, "/f"));
    }

    /** The leases call their hooks outside their monitor: an acknowledgement may overtake its drop. */
    @Test
    void anAcknowledgementThatOvertookItsDropStillCounts() {
        tracker.dropAcked(1, 10);
        tracker.dropped(1, 10);
        assertTrue(tracker.registerRead(1, "/f"), "not stuck uncacheable");
        tracker.dropped(1, 11);
        assertFalse(tracker.registerRead(1, "/f"), "a later drop counts");
    }
}
