package io.chubby.proxy.internal;

import static io.chubby.proxy.internal.core.SessionTable.Urgency.ACKS;
import static io.chubby.proxy.internal.core.SessionTable.Urgency.CREATED;
import static io.chubby.proxy.internal.core.SessionTable.Urgency.JOINED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How long a proxy gathers changes before a group call supersedes the held one: it grows with the group. */
class GroupKeeperCoalesceTest {
    private static final long LEASE = 12_000;

    @Test
    void smallGroupsSendAcknowledgementsAndArrivalsAtOnce() {
        assertEquals(GroupKeeper.COALESCE_MS, GroupKeeper.coalesceMillis(0, ACKS, LEASE));
        assertEquals(GroupKeeper.COALESCE_MS, GroupKeeper.coalesceMillis(50, JOINED, LEASE));
        assertEquals(GroupKeeper.COALESCE_MS, GroupKeeper.coalesceMillis(999, ACKS, LEASE));
    }

    @Test
    void acknowledgementsWaitLittleEvenInALargeGroup() {
        assertEquals(50, GroupKeeper.coalesceMillis(50_000, ACKS, LEASE)); // a write waits at most this much more
    }

    @Test
    void arrivalsOfALargeGroupAreGatheredUpToASixthOfALease() {
        assertEquals(500, GroupKeeper.coalesceMillis(50_000, JOINED, LEASE)); // two calls a second while clients arrive
        assertEquals(LEASE / 6, GroupKeeper.coalesceMillis(1_000_000, JOINED, LEASE));
    }

    @Test
    void sessionsCreatedHereWaitASecondWhateverTheGroupSize() {
        // a new session has its whole lease: no call per creation, even in a group of one
        assertEquals(GroupKeeper.CREATED_MS, GroupKeeper.coalesceMillis(1, CREATED, LEASE));
        assertEquals(GroupKeeper.CREATED_MS, GroupKeeper.coalesceMillis(50_000, CREATED, LEASE));
        assertEquals(LEASE / 6, GroupKeeper.coalesceMillis(1_000_000, CREATED, LEASE));
        // a short lease (or the first answer not in yet): still named well before the master's due time
        assertEquals(4_000 / 6, GroupKeeper.coalesceMillis(10, CREATED, 4_000));
    }
}
