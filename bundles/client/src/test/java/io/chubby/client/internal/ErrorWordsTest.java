package io.chubby.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Sequencer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.BufferUnderflowException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Every error says what happened: the JDK leaves some exceptions without a message (an unknown
 * host, an unreachable UDP port, a buffer that ended early), and those once reached users as
 * "cannot connect to nosuchhost.invalid:7001: null", "SRV: null", "not a sequencer: null".
 */
class ErrorWordsTest {
    private static void saysWhatHappened(ChubbyException e, String expected) {
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("null"), e.getMessage());
    }

    @Test
    void exceptionsWithoutAMessageAreDescribed() {
        assertEquals("unknown host (the name does not resolve)", Futures.describe(new UnresolvedAddressException()));
        assertEquals("BufferUnderflowException (no detail given)", Futures.describe(new BufferUnderflowException()));
        assertEquals("it broke", Futures.describe(new java.util.concurrent.CompletionException(
                new IllegalStateException("it broke"))));
    }

    @Test
    void anUnknownHostIsNamedAsSuch() {
        ChubbyException status = assertThrows(ChubbyException.class,
                () -> ChubbyClient.status("nosuchhost.invalid:7001", Duration.ofSeconds(5)));
        saysWhatHappened(status, "cannot connect to nosuchhost.invalid:7001: unknown host");
        ChubbyException connect = assertThrows(ChubbyException.class, () -> ChubbyClient.connect(ClientOptions
                .builder().cell("nosuchhost.invalid:7001").callTimeout(Duration.ofSeconds(1)).build()));
        assertEquals(ErrorCode.CELL_UNAVAILABLE, connect.code());
        saysWhatHappened(connect, "cannot connect to nosuchhost.invalid:7001: unknown host");
    }

    @Test
    void aDnsServerThatIsNotThereIsNamedHostColonPort() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        int closed = port;
        ChubbyException e = assertThrows(ChubbyException.class,
                () -> ClientOptions.parseCell("dns:local.chubby@127.0.0.1:" + closed));
        assertEquals(ErrorCode.CELL_UNAVAILABLE, e.code());
        // port unreachable, or (ICMP rate-limited) no answer to any try: either way in words
        saysWhatHappened(e, "DNS server 127.0.0.1:" + closed + " did not answer _chubby._tcp.local.chubby. SRV");
    }

    @Test
    void bytesThatAreNoSequencerSayWhy() {
        saysWhatHappened(assertThrows(ChubbyException.class, () -> Sequencer.decode(new byte[] {0x53, 1})),
                "not a sequencer: 2 bytes, fewer than the 40 of an empty path's sequencer");
        byte[] longPath = new byte[40];
        longPath[0] = 0x53;
        longPath[1] = 1;
        longPath[2] = 1;
        longPath[6] = 9; // path length 9, but no room for it
        saysWhatHappened(assertThrows(ChubbyException.class, () -> Sequencer.decode(longPath)),
                "not a sequencer: a path of 9 bytes does not fit 40 bytes");
        saysWhatHappened(assertThrows(ChubbyException.class, () -> Sequencer.parse(HexFormat.of().formatHex(new byte[12]))),
                "not a sequencer:");
    }
}
