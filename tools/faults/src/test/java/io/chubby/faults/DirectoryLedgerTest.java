package io.chubby.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.faults.DirectoryLedger.Result;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DirectoryLedgerTest {
    private static final String D = "/ls/local/faults-d1/dir-0";
    private static final String F = D + "/f-0";
    private static final String G = D + "/f-1";

    private final DirectoryLedger ledger = new DirectoryLedger();

    /** D created, two files, NOT_EMPTY delete, files deleted, D deleted: the correct cycle. */
    private void fullCycle() {
        ledger.created(D, Result.OK, 1, 2);
        ledger.created(F, Result.OK, 3, 4);
        ledger.created(G, Result.UNKNOWN, 5, 6);
        ledger.refusedNotEmpty(D, 7, 8);
        ledger.deleted(F, Result.OK, 9, 10);
        ledger.deleted(G, Result.NO_SUCH_NODE, 11, 12);
        ledger.deleted(D, Result.OK, 13, 14);
    }

    private static Map<String, Boolean> exists(boolean d, boolean f, boolean g) {
        Map<String, Boolean> m = new HashMap<>();
        m.put(D, d);
        m.put(F, f);
        m.put(G, g);
        return m;
    }

    @Test
    void aCorrectCycleHasNoAnomaly() {
        fullCycle();
        assertEquals(List.of(D, F, G), ledger.paths());
        assertEquals(List.of(), ledger.check(exists(false, false, false)));
    }

    @Test
    void aChildFoundAfterItsDirectoryWasDeletedIsReported() {
        fullCycle();
        List<String> found = ledger.check(exists(false, true, false));
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).startsWith("directory-child-survived path=" + F), found.get(0));
    }

    @Test
    void anAcknowledgedCreateNeverDeletedMustExist() {
        ledger.created(D, Result.OK, 1, 2);
        ledger.created(F, Result.OK, 3, 4);
        ledger.refusedNotEmpty(D, 5, 6);
        List<String> found = ledger.check(exists(true, false, false));
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).startsWith("directory-create-lost path=" + F), found.get(0));
        assertEquals(List.of(), ledger.check(exists(true, true, false)));
    }

    @Test
    void aDeleteFindingNoNodeOfAnAcknowledgedCreateIsReported() {
        ledger.created(D, Result.OK, 1, 2);
        ledger.deleted(D, Result.NO_SUCH_NODE, 3, 4);
        List<String> found = ledger.check(Map.of(D, false));
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).contains("answered NO_SUCH_NODE"), found.get(0));
    }

    @Test
    void notEmptyWithoutAPossibleChildIsReported() {
        ledger.created(D, Result.OK, 1, 2);
        ledger.created(F, Result.FAILED, 3, 4);
        ledger.refusedNotEmpty(D, 5, 6);
        List<String> found = ledger.check(exists(true, false, false));
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).startsWith("directory-not-empty-without-child path=" + D), found.get(0));
    }

    @Test
    void notEmptyAfterTheOnlyChildWasDeletedIsReported() {
        ledger.created(D, Result.OK, 1, 2);
        ledger.created(F, Result.OK, 3, 4);
        ledger.deleted(F, Result.OK, 5, 6);
        ledger.refusedNotEmpty(D, 7, 8);
        List<String> found = ledger.check(exists(true, false, false));
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).startsWith("directory-not-empty-without-child"), found.get(0));
    }

    @Test
    void aCreateThatFailedCellUnavailableMustNotBePresent() {
        ledger.created(D, Result.FAILED, 1, 2);
        List<String> found = ledger.check(Map.of(D, true));
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).startsWith("directory-create-applied path=" + D), found.get(0));
    }

    @Test
    void aNodeThatCouldNotBeAskedIsReported() {
        fullCycle();
        Map<String, Boolean> partial = exists(false, false, false);
        partial.put(G, null);
        List<String> found = ledger.check(partial);
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).startsWith("directory-unchecked path=" + G), found.get(0));
    }
}
