package io.chubby.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
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

    /** The numbers are protocol: this table only ever grows (bundles/api README, "Error codes"). */
    @Test
    void wireNumbersAndExitCodesNeverChange() {
        Map<ErrorCode, int[]> pinned = new LinkedHashMap<>();
        String[] names = {"NO_SUCH_NODE", "EXISTS", "NOT_A_DIRECTORY", "NOT_EMPTY", "PERMISSION_DENIED", "BAD_HANDLE",
            "STALE_SEQUENCER", "SESSION_EXPIRED", "CAS_MISMATCH", "TOO_LARGE", "NOT_MASTER", "CELL_UNAVAILABLE",
            "INVALID_ARGUMENT", "IS_A_DIRECTORY", "WRONG_EPOCH", "CANCELLED", "PROTOCOL_ERROR", "INTERNAL",
            "OUTCOME_UNKNOWN", "WRONG_PARTITION"};
        for (int i = 0; i < names.length; i++) {
            pinned.put(ErrorCode.valueOf(names[i]), new int[] {i + 1, i + 10});
        }
        assertEquals(ErrorCode.values().length, pinned.size(), "a new code is pinned here too");
        pinned.forEach((c, n) -> {
            assertEquals(n[0], c.wire(), c + " wire number");
            assertEquals(n[1], c.exitCode(), c + " exit code");
        });
    }

    @Test
    void onlyCallsThatCertainlyDidNotTakeEffectAreRelocatedAndRetried() {
        assertTrue(ErrorCode.NOT_MASTER.relocate());
        assertTrue(ErrorCode.WRONG_EPOCH.relocate());
        assertTrue(ErrorCode.CELL_UNAVAILABLE.relocate());
        assertTrue(ErrorCode.WRONG_PARTITION.relocate(), "nothing applied: take the partition map and retry");
        assertFalse(ErrorCode.OUTCOME_UNKNOWN.relocate(), "may have been applied: never retried blindly");
        assertEquals(4, java.util.Arrays.stream(ErrorCode.values()).filter(ErrorCode::relocate).count());
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
