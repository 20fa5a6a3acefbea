package io.chubby.faults;

import io.chubby.sim.check.Operation;
import io.chubby.sim.check.RegisterModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes register histories with many unknown outcomes tractable for the Wing-Gong search, which
 * otherwise explores every subset of the pending unknown operations before it can say "no".
 * Relies on every write writing a value no other write writes ({@link RegisterValues}).
 * <ol>
 *   <li><b>exact</b>: an unknown write (or CAS) whose value some completed operation observed (a
 *       read returned it, or a successful CAS expected it) certainly took effect, before that
 *       observation's linearization point, so before its completion: it becomes a completed
 *       operation (output: success) ending at the earliest such completion. This keeps exactly the
 *       same set of valid linearizations. Repeated until nothing changes (a converted CAS observes
 *       the value it expected).</li>
 *   <li><b>without unobserved</b>: the unknown writes nobody observed are left out. Any
 *       linearization of the result is one of the full history (an unknown operation may be left
 *       out), so "linearizable" here is a proof for the full history; "not linearizable" is not
 *       (in rare cases an unobserved write is what explains a refused CAS), so the caller then
 *       checks the exact history too.</li>
 * </ol>
 * Pure.
 */
public final class HistoryReduction {

    /** The two histories and how many unknown operations were converted or left out. */
    public record Reduced(List<Operation> exact, List<Operation> withoutUnobserved, int madeKnown, int leftOut,
                          boolean valuesUnique) {
    }

    private HistoryReduction() {
    }

    public static Reduced reduce(List<Operation> history) {
        if (!valuesUnique(history)) {
            return new Reduced(history, history, 0, 0, false);
        }
        List<Operation> ops = new ArrayList<>(history);
        int madeKnown = 0;
        boolean changed = true;
        while (changed) {
            changed = false;
            Map<Long, Long> firstObservedEnd = observations(ops);
            for (int i = 0; i < ops.size(); i++) {
                Operation op = ops.get(i);
                Long written = op.known() ? null : written(op);
                Long end = written == null ? null : firstObservedEnd.get(written);
                if (end != null && end >= op.invoke()) {
                    Object output = op.input() instanceof RegisterModel.Cas ? Boolean.TRUE : null;
                    ops.set(i, new Operation(op.client(), op.invoke(), end, op.input(), output));
                    madeKnown++;
                    changed = true;
                }
            }
        }
        List<Operation> without = new ArrayList<>();
        int leftOut = 0;
        for (Operation op : ops) {
            if (!op.known() && written(op) != null) {
                leftOut++;
            } else {
                without.add(op);
            }
        }
        return new Reduced(List.copyOf(ops), List.copyOf(without), madeKnown, leftOut, true);
    }

    /** The value an operation writes (a write, or a CAS if it succeeds); null for reads. */
    private static Long written(Operation op) {
        if (op.input() instanceof RegisterModel.Write w) {
            return w.value();
        }
        if (op.input() instanceof RegisterModel.Cas c) {
            return c.value();
        }
        return null;
    }

    /** Per value, the earliest completion of a completed operation that saw it as the register's content. */
    private static Map<Long, Long> observations(List<Operation> ops) {
        Map<Long, Long> out = new HashMap<>();
        for (Operation op : ops) {
            if (!op.known()) {
                continue;
            }
            Long seen = null;
            if (op.input() instanceof RegisterModel.Read && op.output() instanceof Long v) {
                seen = v;
            } else if (op.input() instanceof RegisterModel.Cas c && Boolean.TRUE.equals(op.output())) {
                seen = c.expected();
            }
            if (seen != null) {
                out.merge(seen, op.complete(), Math::min);
            }
        }
        return out;
    }

    private static boolean valuesUnique(List<Operation> ops) {
        Set<Long> values = new HashSet<>();
        for (Operation op : ops) {
            Long w = written(op);
            if (w != null && !values.add(w)) {
                return false;
            }
        }
        return true;
    }
}
