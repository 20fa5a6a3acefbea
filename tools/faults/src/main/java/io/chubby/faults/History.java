package io.chubby.faults;

import io.chubby.sim.check.Operation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The recorded history of a run: every client operation, per key, as a checker
 * {@link Operation}, timed with ONE monotonic clock shared by all clients ({@link #now()}), plus the
 * master epochs each client saw. Thread-safe (synchronized): many client threads record into it.
 *
 * <p>Outcomes: {@link Outcome#OK} (answered), {@link Outcome#FAIL} (a definite failure: the
 * operation certainly had no effect, e.g. a compare-and-swap that found another generation, or a
 * read that failed, or a write refused CELL_UNAVAILABLE) and {@link Outcome#UNKNOWN}
 * (OUTCOME_UNKNOWN: connection lost after sending, no answer in time, mastership lost while
 * proposing; or any other failure of a write: it may have taken effect at any time after its
 * invocation, or never).
 */
public final class History {
    /** How an operation ended, for the summary counts. */
    public enum Outcome { OK, FAIL, UNKNOWN }

    /** An epoch a client saw, at a time of the shared clock. */
    public record EpochSighting(int client, long at, long epoch) {
    }

    /** A session that expired under a client (the client then connected anew). */
    public record SessionExpiry(int client, long sessionId, long at, String reason) {
    }

    private final Map<String, List<Operation>> byKey = new TreeMap<>();
    private final List<SessionExpiry> expiries = new ArrayList<>();
    private final List<EpochSighting> epochs = new ArrayList<>();
    private final List<String> observed = new ArrayList<>();
    private final Map<String, Integer> events = new TreeMap<>();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong fail = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();

    /** The shared clock (nanoseconds, monotonic). */
    public static long now() {
        return System.nanoTime();
    }

    /** Records an operation that was answered at {@code complete}. */
    public synchronized void completed(String key, int client, long invoke, long complete, Object input, Object output) {
        add(key, new Operation(client, invoke, complete, input, output));
        ok.incrementAndGet();
    }

    /**
     * Counts an operation that failed and certainly had no effect on the register (a failed read).
     * It is not added to the history: an operation without effect constrains nothing.
     */
    public synchronized void failed() {
        fail.incrementAndGet();
    }

    /** Records a compare-and-swap that was answered "no swap" (a definite failure, but an answer). */
    public synchronized void refused(String key, int client, long invoke, long complete, Object input, Object output) {
        add(key, new Operation(client, invoke, complete, input, output));
        fail.incrementAndGet();
    }

    /** Records an operation whose outcome is unknown. */
    public synchronized void unknown(String key, int client, long invoke, Object input) {
        add(key, new Operation(client, invoke, Operation.UNKNOWN, input, null));
        unknown.incrementAndGet();
    }

    public synchronized void sawEpoch(int client, long at, long epoch) {
        epochs.add(new EpochSighting(client, at, epoch));
    }

    public synchronized void sessionExpired(int client, long sessionId, long at, String reason) {
        expiries.add(new SessionExpiry(client, sessionId, at, reason));
    }

    /**
     * An anomaly a worker saw directly (not derived from the operations), e.g. an ephemeral file
     * that vanished while its holder was alive, or was still there long after its holder died.
     */
    public synchronized void anomaly(String line) {
        observed.add(line);
    }

    public synchronized List<String> observedAnomalies() {
        return List.copyOf(observed);
    }

    /** Counts a check a worker made that found nothing wrong (it has no place in a model's history). */
    public void checked() {
        ok.incrementAndGet();
    }

    /** Counts a named event (e.g. "ephemeral-deleted"), for the summary and for tests that a check ran. */
    public synchronized void count(String event) {
        events.merge(event, 1, Integer::sum);
    }

    public synchronized Map<String, Integer> events() {
        return new TreeMap<>(events);
    }

    public synchronized List<SessionExpiry> sessionExpiries() {
        return List.copyOf(expiries);
    }

    private void add(String key, Operation op) {
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(op);
    }

    /** A copy of the operations per key, in recording order. */
    public synchronized Map<String, List<Operation>> byKey() {
        Map<String, List<Operation>> out = new LinkedHashMap<>();
        byKey.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }

    public synchronized List<EpochSighting> epochs() {
        return List.copyOf(epochs);
    }

    public long ok() {
        return ok.get();
    }

    public long fail() {
        return fail.get();
    }

    public long unknown() {
        return unknown.get();
    }

    public long total() {
        return ok() + fail() + unknown();
    }
}
