package io.chubby.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.sim.check.Operation;
import io.chubby.sim.check.RegisterModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryReductionTest {
    private static Operation ok(int c, long i, long e, Object in, Object out) {
        return new Operation(c, i, e, in, out);
    }

    private static Operation unknown(int c, long i, Object in) {
        return new Operation(c, i, Operation.UNKNOWN, in, null);
    }

    @Test
    void anObservedUnknownWriteEndsAtItsFirstObservation() {
        List<Operation> h = List.of(
                unknown(1, 0, new RegisterModel.Write(7)),
                ok(2, 5, 20, new RegisterModel.Read(), 7L),
                ok(3, 8, 12, new RegisterModel.Cas(7L, 9), true),
                unknown(4, 30, new RegisterModel.Write(11)));
        HistoryReduction.Reduced r = HistoryReduction.reduce(h);
        assertTrue(r.valuesUnique());
        assertEquals(1, r.madeKnown());
        assertEquals(1, r.leftOut());
        assertEquals(12, r.exact().get(0).complete(), "the CAS that expected 7 completed first");
        assertEquals(3, r.withoutUnobserved().size());
        assertFalse(r.withoutUnobserved().stream().anyMatch(o -> !o.known()));
    }

    @Test
    void anUnknownCasSeenByALaterCasMakesItsOwnExpectationSeenToo() {
        List<Operation> h = List.of(
                unknown(1, 0, new RegisterModel.Write(1)),
                unknown(2, 2, new RegisterModel.Cas(1L, 2)),
                ok(3, 4, 9, new RegisterModel.Read(), 2L));
        HistoryReduction.Reduced r = HistoryReduction.reduce(h);
        assertEquals(2, r.madeKnown());
        assertEquals(Boolean.TRUE, r.exact().get(1).output());
        assertEquals(9, r.exact().get(0).complete());
    }

    @Test
    void aValueSeenBeforeItWasWrittenIsLeftForTheCheckerToReject() {
        List<Operation> h = List.of(
                ok(2, 0, 3, new RegisterModel.Read(), 7L),
                unknown(1, 10, new RegisterModel.Write(7)));
        HistoryReduction.Reduced r = HistoryReduction.reduce(h);
        assertEquals(0, r.madeKnown());
        assertFalse(new HistoryChecks(java.time.Duration.ofSeconds(1)).linearizable("k", h).isEmpty());
    }

    @Test
    void duplicateValuesDisableTheReduction() {
        List<Operation> h = List.of(ok(1, 0, 1, new RegisterModel.Write(7), null), unknown(2, 2, new RegisterModel.Write(7)));
        assertFalse(HistoryReduction.reduce(h).valuesUnique());
        assertEquals(h, HistoryReduction.reduce(h).exact());
    }
}
