package io.chubby.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.GroupMember;
import io.chubby.protocol.Request;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.Principal;
import io.chubby.testkit.CapturingConnection;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** What the proxy says upstream about whom it forwards for. */
class PrincipalsTest {
    private final ClientConnection alice = new CapturingConnection(
            new Principal("alice", Principal.Mechanism.TLS_CERTIFICATE), "a");
    private final ClientConnection bob = new CapturingConnection(new Principal("bob", Principal.Mechanism.PASSWORD), "b");

    @Test
    void everyForwardedCallNamesItsClientAndWhatAClientWroteThereItselfIsOverwritten() throws Exception {
        Principals p = new Principals(true);
        Request forged = Request.newBuilder().setCallId(3).setSessionId(9).setOnBehalfOf("admin")
                .setGetContents(GetContentsRequest.getDefaultInstance()).build();
        Request up = Request.parseFrom(p.upstream(bob, forged, forged.toByteArray()));
        assertEquals("bob", up.getOnBehalfOf());
        assertEquals(forged.toBuilder().setOnBehalfOf("bob").build(), up, "nothing else changes");
        Request own = forged.toBuilder().setOnBehalfOf("alice").build();
        assertArrayEquals(own.toByteArray(), p.upstream(alice, own, own.toByteArray()));
        assertEquals(2, p.carried());
        assertEquals("anonymous", p.of(new CapturingConnection()));
    }

    @Test
    void withoutACertificateUpstreamNothingIsCarriedAndTheFieldIsCleared() throws Exception {
        Principals p = new Principals(false);
        Request forged = Request.newBuilder().setCallId(3).setOnBehalfOf("admin").build();
        assertEquals("", Request.parseFrom(p.upstream(alice, forged, forged.toByteArray())).getOnBehalfOf());
        List<GroupMember> members = List.of(GroupMember.newBuilder().setSessionId(1).build());
        assertEquals(members, p.stamp(members, id -> alice));
        assertTrue(p.mayUse(bob, alice), "every client acts upstream as the proxy does");
        assertEquals(0, p.carried());
    }

    @Test
    void groupMembersGoAsTheirClientsAndTheProxysOwnSessionAsItself() {
        Principals p = new Principals(true);
        Map<Long, ClientConnection> holders = Map.of(1L, alice, 2L, bob);
        List<GroupMember> stamped = p.stamp(List.of(GroupMember.newBuilder().setSessionId(1).build(),
                GroupMember.newBuilder().setSessionId(2).build(), GroupMember.newBuilder().setSessionId(7).build()),
                holders::get);
        assertEquals(List.of("alice", "bob", ""), stamped.stream().map(GroupMember::getOnBehalfOf).toList());
    }

    @Test
    void onlyTheSamePrincipalRenewsASessionTheProxyRenewsForSomeone() {
        Principals p = new Principals(true);
        assertTrue(p.mayUse(alice, alice));
        assertTrue(p.mayUse(alice, new CapturingConnection(new Principal("alice", Principal.Mechanism.PASSWORD),
                "a2")), "alice on another connection");
        assertFalse(p.mayUse(bob, alice));
        assertTrue(p.mayUse(bob, null), "a session new here: the master checks it");
    }
}
