package io.chubby.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How long a proxy gathers changes before a group call supersedes the held one: it grows with the group. */
class GroupKeeperCoalesceTest {
    private static final long LEASE = 12_000;

    @Test
    void smallGroupsSendAtOnce() {
        assertEquals(GroupKeeper.COALESCE_MS, GroupKeeper.coalesceMillis(0, true, LEASE));
        assertEquals(GroupKeeper.COALESCE_MS, GroupKeeper.coalesceMillis(50, false, LEASE));
        assertEquals(GroupKeeper.COALESCE_MS, GroupKeeper.coalesceMillis(999, true, LEASE));
    }

    @Test
    void acknowledgementsWaitLittleEvenInALargeGroup() {
        assertEquals(50, GroupKeeper.coalesceMillis(50_000, true, LEASE)); // a write waits at most this much more
    }

    @Test
    void joinsOfALargeGroupAreGatheredUpToASixthOfALease() {
        assertEquals(500, GroupKeeper.coalesceMillis(50_000, false, LEASE)); // two calls a second while clients arrive
        assertEquals(LEASE / 6, GroupKeeper.coalesceMillis(1_000_000, false, LEASE));
    }
}
