package io.chubby.transport.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PeerHandshakeTest {
    @Test
    void roundTripsAndMatchesTheDocumentedLayout() {
        PeerHandshake h = new PeerHandshake(3, 200, "cell");
        byte[] bytes = h.encode();
        assertArrayEquals(new byte[] {'C', 'H', 'P', '1', 3, (byte) 200, 0, 4, 'c', 'e', 'l', 'l'}, bytes);
        assertEquals(h, PeerHandshake.decode(bytes));
    }

    @Test
    void rejectsMalformedBytes() {
        byte[] good = new PeerHandshake(1, 2, "c").encode();
        assertThrows(IllegalArgumentException.class, () -> PeerHandshake.decode(Arrays.copyOf(good, 5)));
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        assertThrows(IllegalArgumentException.class, () -> PeerHandshake.decode(badMagic));
        assertThrows(IllegalArgumentException.class, () -> PeerHandshake.decode(Arrays.copyOf(good, good.length + 1)));
    }
}
