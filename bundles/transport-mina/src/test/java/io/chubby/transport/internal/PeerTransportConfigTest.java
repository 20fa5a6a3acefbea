package io.chubby.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The peer transport's OSGi constructor: PID io.chubby.transport.peer (SCR-style Config) plus the identity. */
class PeerTransportConfigTest {

    private static MinaPeerTransport.Config config(Map<String, Object> values) {
        return Configs.of(MinaPeerTransport.Config.class, values);
    }

    @Test
    void identityAndDefaults() {
        PeerSettings p = PeerSettings.from(config(Map.of()),
                new Configs.Identity("x", 2, "1@127.0.0.1:7001:7101,2@127.0.0.1:7002:7102"));
        assertEquals(2, p.selfId());
        assertEquals("x", p.cell());
        assertEquals(2, p.members().size());
        assertEquals(16 * 1024 * 1024, p.maxFrameBytes());
        assertEquals(64L * 1024 * 1024, p.maxQueuedBytes());
        assertEquals(2, p.ioThreads());
        assertEquals(10, p.handshakeTimeoutSeconds());
        assertEquals(50, p.backoffMinMs());
        assertEquals(2000, p.backoffMaxMs());
    }

    @Test
    void ownKeysTuneThePeerSideOnly() {
        PeerSettings p = PeerSettings.from(config(Map.of("transport_peer_io_threads", 4,
                "transport_peer_handshake_timeout_s", 5, "transport_peer_backoff_min_ms", 10)),
                new Configs.Identity("x", 1, "1@127.0.0.1:7001:7101"));
        assertEquals(4, p.ioThreads());
        assertEquals(5, p.handshakeTimeoutSeconds());
        assertEquals(10, p.backoffMinMs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PeerSettings.from(
                config(Map.of("transport_peer_handshake_timeout_s", 0)), new Configs.Identity("x", 1,
                        "1@127.0.0.1:7001:7101")));
        assertTrue(e.getMessage().contains("transport.peer.handshake.timeout.s"), e.getMessage());
    }

    @Test
    void replicaNotInMembersIsATypedError() {
        ChubbyException e = assertThrows(ChubbyException.class, () -> new MinaPeerTransport(config(Map.of()),
                new Configs.Identity("x", 3, "1@127.0.0.1:7001:7101,2@127.0.0.1:7002:7102")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }
}
