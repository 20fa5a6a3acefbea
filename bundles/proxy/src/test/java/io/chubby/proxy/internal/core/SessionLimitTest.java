package io.chubby.proxy.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SessionLimitTest {
    @Test
    void aConfiguredLimitIsTakenAsItIs() {
        SessionLimit l = SessionLimit.of(2, 1L << 30);
        assertEquals(2, l.max());
        assertTrue(l.admitsNew(1));
        assertFalse(l.admitsNew(2));
        assertEquals("proxy 127.0.0.1:7201 is full: 2 client sessions (proxy.max.sessions 2); the session is created at the cell's master",
                l.refusal("127.0.0.1:7201", 2));
    }

    @Test
    void zeroDerivesTheLimitFromTheHeap() {
        assertEquals(32_768, SessionLimit.of(0, 256L << 20).max(), "the default 256 MiB proxy");
        assertEquals(131_072, SessionLimit.of(0, 1L << 30).max());
        assertEquals(1, SessionLimit.of(0, 100).max());
    }

    @Test
    void aNegativeLimitIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SessionLimit.of(-1, 1L << 30));
    }
}
