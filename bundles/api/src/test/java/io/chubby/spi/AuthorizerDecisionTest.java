package io.chubby.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The values an authorizer answers with (spi 1.3): decisions and the ACL file versions they rest on. */
class AuthorizerDecisionTest {

    @Test
    void anAllowNamesTheAclFilesItReadAndKeepsThemFromLaterChanges() {
        List<AclFileVersion> read = new ArrayList<>(List.of(new AclFileVersion("/acl/w", 3, 7),
                AclFileVersion.absent("/acl/missing")));
        Authorizer.Decision d = Authorizer.Decision.allow(read);
        read.clear();
        assertTrue(d.allowed());
        assertEquals(2, d.consulted().size(), "copied, not shared");
        assertTrue(d.consulted().get(0).exists());
        assertFalse(d.consulted().get(1).exists());
        assertEquals(new AclFileVersion("/acl/missing", 0, 0), d.consulted().get(1));
        assertTrue(Authorizer.Decision.allow().consulted().isEmpty(), "an allow that read nothing");
    }

    @Test
    void theOlderConstructorAndDenialsNameNoAclFileAndAlwaysHaveAReason() {
        Authorizer.Decision old = new Authorizer.Decision(true, null);
        assertEquals("", old.reason());
        assertTrue(old.consulted().isEmpty());
        assertEquals("denied", Authorizer.Decision.deny(" ").reason());
        assertEquals("alice may not write /x", Authorizer.Decision.deny("alice may not write /x").reason());
        assertFalse(Authorizer.Decision.deny("no").allowed());
        assertTrue(new Authorizer.Decision(false, "r", null).consulted().isEmpty());
    }

    @Test
    void aVersionIsNeverNegativeAndAlwaysNamesAFile() {
        assertThrows(IllegalArgumentException.class, () -> new AclFileVersion("/acl/w", -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new AclFileVersion("/acl/w", 1, -1));
        assertThrows(NullPointerException.class, () -> new AclFileVersion(null, 1, 1));
    }
}
