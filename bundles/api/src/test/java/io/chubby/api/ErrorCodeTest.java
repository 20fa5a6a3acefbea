package io.chubby.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {
    @Test
    void wireNumbersAndExitCodesAreUniqueAndRoundTrip() {
        Set<Integer> wires = new HashSet<>();
        Set<Integer> exits = new HashSet<>();
        for (ErrorCode c : ErrorCode.values()) {
            assertTrue(wires.add(c.wire()), c + " wire number reused");
            assertTrue(exits.add(c.exitCode()), c + " exit code reused");
            assertTrue(c.exitCode() > 2 && c.exitCode() < 126, "exit code must not clash with shell meanings");
            assertEquals(c, ErrorCode.fromWire(c.wire()));
        }
        assertEquals(ErrorCode.INTERNAL, ErrorCode.fromWire(9999));
    }

    @Test
    void exceptionMessageNamesCodeAndCause() {
        ChubbyException e = ChubbyException.of(ErrorCode.NO_SUCH_NODE, "%s does not exist", "/ls/local/x");
        assertEquals("NO_SUCH_NODE: /ls/local/x does not exist", e.getMessage());
        assertEquals("/ls/local/x does not exist", e.detail());
    }

    @Test
    void openOptionsValidateLockDelay() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, org.junit.jupiter.api.Assertions.assertThrows(ChubbyException.class,
                () -> OpenOptions.write().withLockDelayMillis(60_001)).code());
        assertTrue(OpenOptions.write().canWrite());
        assertEquals(CreateMode.MAY, OpenOptions.read().asDirectory().create());
    }
}
