package io.chubby.client;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a new leader's record ({@link LeaderFile}) into the election file it has just locked, for
 * {@link LeaderElection}. The write is idempotent while the lock is ours, so one that failed
 * without an answer (OUTCOME_UNKNOWN) or for want of a master (CELL_UNAVAILABLE) is sent again,
 * with backoff (50 ms doubling to 1 s), until a limit; before each retry the lock is checked
 * (CheckSequencer), so a candidate that lost it meanwhile never overwrites the next leader's
 * record. Used by the election's campaign thread only.
 */
final class LeaderRecordWriter {
    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    private final ChubbyClient client;
    private final Handle handle;
    private final String path;
    private final String identity;
    private final BooleanSupplier running;

    LeaderRecordWriter(ChubbyClient client, Handle handle, String path, String identity, BooleanSupplier running) {
        this.client = client;
        this.handle = handle;
        this.path = path;
        this.identity = identity;
        this.running = running;
    }

    /**
     * @return true once written; false if the election was stopped or the lock lost meanwhile
     * @throws ChubbyException when it gives up: another error, or still failing after {@code limit}
     */
    boolean write(Sequencer s, Duration limit) throws InterruptedException {
        byte[] record = LeaderFile.format(identity, s.generation());
        long deadline = System.nanoTime() + limit.toNanos();
        long backoffMs = 50;
        for (int attempt = 1; ; attempt++) {
            try {
                handle.setContents(record);
                return true;
            } catch (ChubbyException e) {
                if (!running.getAsBoolean()) {
                    return false;
                }
                boolean retry = e.code() == ErrorCode.OUTCOME_UNKNOWN || e.code() == ErrorCode.CELL_UNAVAILABLE;
                if (!retry || System.nanoTime() - deadline >= 0) {
                    throw new ChubbyException(e.code(), "won the lock on " + path + " but could not write the leader"
                            + " record of " + shown(identity) + " (" + attempt + (attempt == 1 ? " attempt" : " attempts")
                            + "): " + e.detail(), e);
                }
                log.warn("leader record not written, sending it again path={} id={} attempt={} cause={}",
                        path, shown(identity), attempt, e.getMessage());
            }
            Thread.sleep(backoffMs);
            backoffMs = Math.min(backoffMs * 2, 1_000);
            if (!running.getAsBoolean() || !stillHeld(s)) {
                return false;
            }
        }
    }

    /** An identity as a message shows it: at most 64 characters. */
    static String shown(String identity) {
        return identity.length() <= 64 ? identity : identity.substring(0, 60) + "...";
    }

    /** Whether the lock is still ours at {@code s}; true when the cell cannot say (the next write will). */
    private boolean stillHeld(Sequencer s) {
        try {
            SequencerCheck c = client.checkSequencer(s.bytes());
            if (!c.valid()) {
                log.info("lock lost before the leader record was written path={} id={} reason={}", path,
                        shown(identity), c.reason());
            }
            return c.valid();
        } catch (ChubbyException e) {
            return true;
        }
    }
}
