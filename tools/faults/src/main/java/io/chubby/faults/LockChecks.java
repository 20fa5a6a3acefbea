package io.chubby.faults;

import io.chubby.sim.check.LockModel;
import io.chubby.sim.check.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Direct checks on one lock's recorded operations (the {@link LockModel} linearizability check
 * implies them; these say plainly what went wrong):
 * <ul>
 *   <li>{@code lock-generation-reused}: two answered Acquires got the same generation (two holders
 *       under one generation);</li>
 *   <li>{@code lock-generation-not-increasing}: an Acquire invoked after another one completed got
 *       a generation that is not larger;</li>
 *   <li>{@code stale-write-accepted}: a protected write was accepted with generation g although an
 *       Acquire with a larger generation had completed before the write was invoked.</li>
 * </ul>
 * Pure.
 */
final class LockChecks {
    private LockChecks() {
    }

    static List<String> check(String key, List<Operation> ops) {
        List<String> out = new ArrayList<>();
        List<Operation> acquires = new ArrayList<>();
        Map<Long, Operation> byGeneration = new HashMap<>();
        for (Operation op : ops) {
            if (op.known() && op.input() instanceof LockModel.Acquire && op.output() instanceof Long gen) {
                acquires.add(op);
                Operation other = byGeneration.putIfAbsent(gen, op);
                if (other != null) {
                    out.add("lock-generation-reused key=" + key + " generation=" + gen + " first=" + other + " second=" + op);
                }
            }
        }
        for (Operation a : acquires) {
            for (Operation b : acquires) {
                if (a.complete() < b.invoke() && (Long) b.output() <= (Long) a.output()) {
                    out.add("lock-generation-not-increasing key=" + key + " earlier=" + a + " later=" + b);
                }
            }
        }
        for (Operation w : ops) {
            if (w.known() && w.input() instanceof LockModel.ProtectedWrite pw && Boolean.TRUE.equals(w.output())) {
                for (Operation a : acquires) {
                    if (a.complete() < w.invoke() && (Long) a.output() > pw.generation()) {
                        out.add("stale-write-accepted key=" + key + " write=" + w + " newerAcquire=" + a);
                        break;
                    }
                }
            }
        }
        return out;
    }
}
