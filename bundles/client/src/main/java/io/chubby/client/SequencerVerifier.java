package io.chubby.client;

import io.chubby.api.ChubbyException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks sequencers for a server outside the cell that protects a resource with Chubby locks
 * (the fencing of SPEC section 5; the answer to "a paused holder keeps writing", CONSENSUS.md).
 * A sequencer passes when:
 * <ol>
 * <li>it is not older than the newest generation this verifier has accepted for the same lock
 * (same path and node instance): an older one is rejected locally, without a round trip, so a
 * stale holder can never be accepted after a newer one was, even if the cell were unreachable;</li>
 * <li>the cell says it is valid now ({@link ChubbyClient#checkSequencer}: authentic, lock still
 * held in that mode at that generation).</li>
 * </ol>
 * Accepting a sequencer raises the newest generation seen for its lock. Thread-safe.
 */
public final class SequencerVerifier {
    private record LockKey(String path, long instance) {
    }

    private final ChubbyClient client;
    private final Map<LockKey, Long> newest = new ConcurrentHashMap<>();

    public SequencerVerifier(ChubbyClient client) {
        this.client = client;
    }

    /**
     * Verifies, blocking for the round trip (if one is needed). Never throws for a bad sequencer.
     *
     * @throws ChubbyException when the cell cannot be asked (CELL_UNAVAILABLE, SESSION_EXPIRED,
     *                         ...), like every synchronous call of the client
     */
    public SequencerCheck verify(byte[] sequencer) {
        return Sync.await(verifyAsync(sequencer));
    }

    /**
     * Verifies asynchronously. The future fails (with the {@link ChubbyException} itself) only when
     * the cell cannot be asked (e.g. CELL_UNAVAILABLE, SESSION_EXPIRED); a bad sequencer completes
     * it with {@code valid=false}.
     */
    public CompletableFuture<SequencerCheck> verifyAsync(byte[] sequencer) {
        Sequencer s;
        try {
            s = Sequencer.decode(sequencer);
        } catch (ChubbyException e) {
            return CompletableFuture.completedFuture(new SequencerCheck(false, "forged: " + e.detail()));
        }
        LockKey key = new LockKey(s.path(), s.instance());
        Long seen = newest.get(key);
        if (seen != null && s.generation() < seen) {
            return CompletableFuture.completedFuture(new SequencerCheck(false, "stale: lock " + s.path()
                    + " generation " + s.generation() + " is older than generation " + seen + " already accepted"));
        }
        CompletableFuture<SequencerCheck> out = new CompletableFuture<>();
        client.checkSequencerAsync(sequencer).whenComplete((check, e) -> {
            if (e != null) {
                out.completeExceptionally(Sync.cause(e)); // the ChubbyException itself, as every async call
            } else {
                out.complete(accept(key, s, check));
            }
        });
        return out;
    }

    private SequencerCheck accept(LockKey key, Sequencer s, SequencerCheck check) {
        if (check.valid()) {
            newest.merge(key, s.generation(), Math::max);
            Long now = newest.get(key);
            if (now != null && now > s.generation()) {
                // A newer generation was accepted while we asked: this one lost the race.
                return new SequencerCheck(false, "stale: generation " + now + " was accepted meanwhile");
            }
        }
        return check;
    }

    /** The newest generation accepted for the lock on {@code path} instance {@code instance}, or -1. */
    public long newestGeneration(String path, long instance) {
        return newest.getOrDefault(new LockKey(path, instance), -1L);
    }
}
