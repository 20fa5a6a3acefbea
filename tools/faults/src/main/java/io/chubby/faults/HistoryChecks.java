package io.chubby.faults;

import io.chubby.sim.check.Linearizability;
import io.chubby.sim.check.LockModel;
import io.chubby.sim.check.Model;
import io.chubby.sim.check.Operation;
import io.chubby.sim.check.RegisterModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks on a recorded {@link History}, each anomaly as one line of text:
 * <ul>
 *   <li>per key, the history is linearizable for {@link RegisterModel} (Wing-Gong search of the
 *       simulator). With a final read of every key after healing recorded in the history, this also
 *       covers "no acknowledged write lost": a lost write makes the final read unexplainable;</li>
 *   <li>per client, the master epochs it saw never go backwards;</li>
 *   <li>no session expired: the nemesis never keeps a client from a majority for anywhere near
 *       the client's grace period (45 s; its faults last seconds), so every expiry is one that
 *       happened while the client could reach a majority.</li>
 * </ul>
 * <p>Lock keys ({@code lock:PATH}, recorded by {@link LockWorker}): linearizable for
 * {@link LockModel} plus the direct {@link LockChecks}. Anomalies workers saw directly
 * ({@link History#anomaly}, e.g. ephemeral files) are passed through.
 *
 * <p>A check that runs out of its time budget counts as an anomaly (undecided is not a pass).
 * Pure apart from reading the clock for that budget.
 */
public final class HistoryChecks {
    private final Duration budgetPerKey;

    public HistoryChecks(Duration budgetPerKey) {
        this.budgetPerKey = budgetPerKey;
    }

    public List<String> check(History history) {
        List<String> anomalies = new ArrayList<>();
        history.byKey().forEach((key, ops) -> {
            if (isLockKey(key)) {
                anomalies.addAll(LockChecks.check(key, ops));
                lockLinearizable(key, ops).ifPresent(anomalies::add);
            } else {
                linearizable(key, ops).ifPresent(anomalies::add);
            }
        });
        anomalies.addAll(history.observedAnomalies());
        anomalies.addAll(epochsNeverGoBack(history.epochs()));
        for (History.SessionExpiry e : history.sessionExpiries()) {
            anomalies.add("session-expired client=" + e.client() + " session=" + e.sessionId() + " reason=" + e.reason());
        }
        return anomalies;
    }

    static boolean isLockKey(String key) {
        return key.startsWith("lock:");
    }

    /** An anomaly line when a lock's history is not linearizable for {@link LockModel} (or undecided in time). */
    java.util.Optional<String> lockLinearizable(String key, List<Operation> ops) {
        Verdict v = search(new LockModel(), ops);
        if (v.result() != null && v.result().linearizable()) {
            return java.util.Optional.empty();
        }
        String facts = "key=" + key + " ops=" + ops.size();
        if (v.result() != null) {
            return java.util.Optional.of("not-linearizable " + facts + explain(ops, v.result()));
        }
        return java.util.Optional.of("undecided " + facts + " (the search " + v.failure() + ")");
    }

    /**
     * An anomaly line when the key's history is not linearizable (or undecided in time). Checks
     * the reduced history first ({@link HistoryReduction}): linearizable there is a proof; if not,
     * the exact history decides.
     */
    java.util.Optional<String> linearizable(String key, List<Operation> ops) {
        HistoryReduction.Reduced reduced = HistoryReduction.reduce(ops);
        Verdict quick = search(new RegisterModel(), reduced.withoutUnobserved());
        if (quick.result() != null && quick.result().linearizable()) {
            return java.util.Optional.empty();
        }
        Verdict full = reduced.leftOut() == 0 && quick.result() != null ? quick : search(new RegisterModel(), reduced.exact());
        if (full.result() != null && full.result().linearizable()) {
            return java.util.Optional.empty();
        }
        String facts = "key=" + key + " ops=" + ops.size() + " unknownMadeKnown=" + reduced.madeKnown()
                + " unobservedUnknownLeftOut=" + reduced.leftOut();
        if (full.result() != null) {
            return java.util.Optional.of("not-linearizable " + facts + explain(reduced.exact(), full.result()));
        }
        if (quick.result() != null) {
            return java.util.Optional.of("not-linearizable " + facts + " (proved without the unobserved unknown "
                    + "writes; with them the search " + full.failure() + ")" + explain(reduced.withoutUnobserved(),
                    quick.result()));
        }
        return java.util.Optional.of("undecided " + facts + " (the search " + full.failure() + ")");
    }

    private static String explain(List<Operation> ops, Linearizability.Result r) {
        List<Operation> best = r.longestLinearization();
        String tail = best.subList(Math.max(0, best.size() - 5), best.size()).toString();
        return " explained=" + best.size() + " lastExplained=" + tail + " firstUnexplained=" + firstUnexplained(ops, best);
    }

    /** A search's result, or why there is none. */
    private record Verdict(Linearizability.Result result, String failure) {
    }

    private <S> Verdict search(Model<S> model, List<Operation> ops) {
        try {
            return new Verdict(Linearizability.check(new Bounded<>(model, System.nanoTime() + budgetPerKey.toNanos()), ops), null);
        } catch (OutOfBudget e) {
            return new Verdict(null, "exceeded " + budgetPerKey.toMillis() + " ms");
        } catch (RuntimeException e) {
            return new Verdict(null, "failed: " + e);
        }
    }

    private static final class OutOfBudget extends RuntimeException {
        OutOfBudget() {
            super("linearizability search out of budget", null, false, false);
        }
    }

    /**
     * A model with a deadline: the search has no cancellation point of its own, but it calls the
     * model at every step, so running out of time ends it there.
     */
    private static final class Bounded<S> implements Model<S> {
        private final Model<S> model;
        private final long deadline;
        private long steps;

        Bounded(Model<S> model, long deadline) {
            this.model = model;
            this.deadline = deadline;
        }

        @Override
        public S init() {
            return model.init();
        }

        @Override
        public S step(S state, Operation op) {
            if ((++steps & 1023) == 0 && System.nanoTime() > deadline) {
                throw new OutOfBudget();
            }
            return model.step(state, op);
        }
    }

    /** The earliest-invoked completed operation the checker could not place: where to start reading. */
    private static String firstUnexplained(List<Operation> ops, List<Operation> explained) {
        java.util.Set<Operation> done = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        done.addAll(explained);
        Operation first = null;
        for (Operation op : ops) {
            if (op.known() && !done.contains(op) && (first == null || op.invoke() < first.invoke())) {
                first = op;
            }
        }
        return String.valueOf(first);
    }

    /** Per client, epochs seen (in the order the client saw them) must not decrease. */
    static List<String> epochsNeverGoBack(List<History.EpochSighting> sightings) {
        List<String> out = new ArrayList<>();
        Map<Integer, History.EpochSighting> last = new HashMap<>();
        for (History.EpochSighting s : sightings) {
            History.EpochSighting prev = last.get(s.client());
            if (prev != null && s.epoch() < prev.epoch()) {
                out.add("epoch-went-back client=" + s.client() + " from=" + prev.epoch() + " to=" + s.epoch());
            }
            if (prev == null || s.epoch() >= prev.epoch()) {
                last.put(s.client(), s);
            }
        }
        return out;
    }
}
