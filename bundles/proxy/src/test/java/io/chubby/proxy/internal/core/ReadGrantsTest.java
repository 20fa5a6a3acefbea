package io.chubby.proxy.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A cached node is served to a principal only while the master's read decision for it stands. */
class ReadGrantsTest {
    private final ReadGrants grants = new ReadGrants(100);

    @Test
    void nothingIsGrantedBeforeTheAclDirectoryWasReadOnce() {
        grants.grant("alice", "/f", 3, 1, grants.era());
        assertFalse(grants.granted("alice", "/f", 3, 1), "no ACL view yet");
        assertFalse(grants.aclKnown());
        grants.aclFiles("writers@5:2");
        assertTrue(grants.aclKnown());
        grants.grant("alice", "/f", 3, 1, grants.era());
        assertTrue(grants.granted("alice", "/f", 3, 1));
    }

    @Test
    void aGrantIsForItsPrincipalItsNodeInstanceAndItsAclGeneration() {
        grants.aclFiles("");
        grants.grant("alice", "/f", 3, 1, grants.era());
        assertFalse(grants.granted("bob", "/f", 3, 1), "alice's read is not bob's");
        assertFalse(grants.granted("alice", "/g", 3, 1), "another node");
        assertFalse(grants.granted("alice", "/f", 4, 1), "the node was re-created");
        assertFalse(grants.granted("alice", "/f", 3, 2), "SetACL on the node: a new ACL generation");
        grants.grant("alice", "/f", 3, 2, grants.era());
        assertTrue(grants.granted("alice", "/f", 3, 2), "decided again by the master");
        assertFalse(grants.granted("alice", "/f", 3, 1), "the old ACL generation no longer counts");
    }

    @Test
    void aChangedAclFileDropsEveryGrantAndAnUnchangedPollNone() {
        grants.aclFiles("readers@7:1");
        grants.grant("alice", "/f", 3, 1, grants.era());
        grants.grant("bob", "/g", 5, 1, grants.era());
        grants.aclFiles("readers@7:1");
        assertEquals(2, grants.size(), "nothing changed");
        grants.aclFiles("readers@7:2");
        assertEquals(0, grants.size());
        assertFalse(grants.granted("alice", "/f", 3, 1));
        assertEquals(2, grants.drops(), "the first view and the change");
    }

    @Test
    void aDecisionInFlightAcrossAnAclChangeIsNotRecorded() {
        grants.aclFiles("readers@7:1");
        long sent = grants.era();
        grants.aclFiles("readers@7:2"); // noticed while alice's read was at the master
        grants.grant("alice", "/f", 3, 1, sent);
        assertFalse(grants.granted("alice", "/f", 3, 1));
    }

    @Test
    void aFailedPollGrantsNothingUntilOneSucceeds() {
        grants.aclFiles("a@1:1");
        grants.grant("alice", "/f", 3, 1, grants.era());
        grants.aclUnknown();
        assertFalse(grants.granted("alice", "/f", 3, 1));
        grants.grant("alice", "/f", 3, 1, grants.era());
        assertFalse(grants.granted("alice", "/f", 3, 1), "no ACL view: nothing recorded");
        grants.aclFiles("a@1:1");
        grants.grant("alice", "/f", 3, 1, grants.era());
        assertTrue(grants.granted("alice", "/f", 3, 1));
    }

    @Test
    void beyondTheLimitEveryGrantGoes() {
        ReadGrants small = new ReadGrants(2);
        small.aclFiles("");
        small.grant("a", "/1", 1, 1, small.era());
        small.grant("b", "/1", 1, 1, small.era());
        small.grant("a", "/1", 1, 1, small.era());
        assertEquals(2, small.size(), "a grant made again takes no more room");
        small.grant("c", "/1", 1, 1, small.era());
        assertEquals(1, small.size());
        assertTrue(small.granted("c", "/1", 1, 1));
        assertFalse(small.granted("a", "/1", 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ReadGrants(0));
    }

    @Test
    void anAbsenceIsGrantedPerPrincipalAndPathAndLastsOneAclListing() {
        grants.grantAbsence("alice", "/d/none", grants.era());
        assertFalse(grants.absenceGranted("alice", "/d/none"), "no ACL view yet");
        grants.aclFiles("readers@7:1");
        grants.grantAbsence("alice", "/d/none", grants.era());
        assertTrue(grants.absenceGranted("alice", "/d/none"));
        assertFalse(grants.absenceGranted("bob", "/d/none"), "alice's answer is not bob's");
        assertFalse(grants.absenceGranted("alice", "/d/other"), "another path");
        assertFalse(grants.granted("alice", "/d/none", 0, 0), "not a read grant");
        assertEquals(1, grants.size());

        grants.aclFiles("readers@7:1");
        assertFalse(grants.absenceGranted("alice", "/d/none"),
                "an unchanged listing still ends it: a SetACL on the directory invalidates nothing the proxy holds");
        long era = grants.era();
        grants.aclFiles("readers@7:2");
        grants.grantAbsence("alice", "/d/none", era);
        assertFalse(grants.absenceGranted("alice", "/d/none"), "decided before an ACL change: not recorded");
        grants.grantAbsence("alice", "/d/none", grants.era());
        grants.aclUnknown();
        assertFalse(grants.absenceGranted("alice", "/d/none"), "a failed listing drops it");
    }

    @Test
    void absenceGrantsCountTowardsTheLimit() {
        ReadGrants two = new ReadGrants(2);
        two.aclFiles("");
        two.grant("alice", "/f", 1, 1, two.era());
        two.grantAbsence("alice", "/n1", two.era());
        assertEquals(2, two.size());
        two.grantAbsence("alice", "/n2", two.era());
        assertEquals(1, two.size(), "beyond the limit all went, then the new one was kept");
        assertTrue(two.absenceGranted("alice", "/n2"));
        assertFalse(two.granted("alice", "/f", 1, 1));
    }
}
