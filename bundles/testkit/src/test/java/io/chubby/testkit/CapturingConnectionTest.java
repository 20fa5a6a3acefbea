package io.chubby.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.protocol.Response;
import io.chubby.spi.Principal;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CapturingConnectionTest {
    private final CapturingConnection conn = new CapturingConnection();

    private static byte[] response(long callId, String error) {
        Response.Builder b = Response.newBuilder().setCallId(callId);
        if (error != null) {
            b.setError(io.chubby.protocol.Error.newBuilder().setMessage(error));
        }
        return b.build().toByteArray();
    }

    @Test
    void recordsDecodedResponsesInOrder() {
        assertNull(conn.last());
        conn.send(response(1, null));
        conn.send(response(2, null));
        conn.send(response(1, "again"));
        assertEquals(3, conn.sent().size());
        assertEquals(1, conn.last().getCallId());
        assertEquals("again", conn.forCall(1).getError().getMessage(), "the latest answer to a call");
        assertNull(conn.forCall(3));
    }

    @Test
    void responseFutureCompletesWhenTheAnswerComesEvenFromAnotherThread() throws Exception {
        conn.send(response(1, null));
        assertTrue(conn.response(1).isDone(), "already there");
        CompletableFuture<Response> later = conn.response(7);
        assertFalse(later.isDone());
        Thread sender = new Thread(() -> conn.send(response(7, null)));
        sender.start();
        assertEquals(7, later.get(5, TimeUnit.SECONDS).getCallId());
        sender.join();
        assertSame(later, conn.response(7));
    }

    @Test
    void aClosedConnectionDropsWhatIsSent() {
        conn.close("bye");
        assertFalse(conn.isOpen());
        assertEquals("bye", conn.closeReason());
        conn.send(response(1, null));
        assertEquals(List.of(), conn.sent());
    }

    @Test
    void undecodableBytesAreAProtocolBreach() {
        assertThrows(AssertionError.class, () -> conn.send(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
    }

    @Test
    void identityPrincipalAndClientName() {
        assertNotEquals(conn.id(), new CapturingConnection().id());
        assertEquals(Principal.ANONYMOUS, conn.principal());
        assertEquals("", conn.clientName());
        Principal alice = new Principal("alice", Principal.Mechanism.TLS_CERTIFICATE);
        CapturingConnection named = new CapturingConnection(alice, "lock-tool");
        assertEquals(alice, named.principal());
        assertEquals("lock-tool", named.clientName());
        assertTrue(named.remoteAddress().startsWith("127.0.0.1:"));
    }
}
