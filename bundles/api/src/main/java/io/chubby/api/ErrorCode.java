package io.chubby.api;

/**
 * Why a call failed. The same codes travel on the wire ({@link #wire()}) and become CLI exit
 * codes ({@link #exitCode()}); the numbers are part of the protocol and never change: a new code
 * gets the next free numbers. A peer that does not know a wire number reads it as
 * {@link #INTERNAL} ({@link #fromWire}).
 *
 * <p>Two codes say the cell could not complete a call, and they ask for different reactions:
 * {@link #CELL_UNAVAILABLE} means nothing was applied (retry freely), {@link #OUTCOME_UNKNOWN}
 * means the call may or may not have been applied (check the state before retrying a write).
 */
public enum ErrorCode {
    NO_SUCH_NODE(1, 10, "no such node"),
    EXISTS(2, 11, "node already exists"),
    NOT_A_DIRECTORY(3, 12, "not a directory"),
    NOT_EMPTY(4, 13, "directory not empty"),
    PERMISSION_DENIED(5, 14, "permission denied"),
    BAD_HANDLE(6, 15, "bad handle"),
    STALE_SEQUENCER(7, 16, "stale sequencer"),
    SESSION_EXPIRED(8, 17, "session expired"),
    CAS_MISMATCH(9, 18, "content generation mismatch"),
    TOO_LARGE(10, 19, "too large"),
    NOT_MASTER(11, 20, "not the master"),
    CELL_UNAVAILABLE(12, 21, "cell unavailable"),
    INVALID_ARGUMENT(13, 22, "invalid argument"),
    IS_A_DIRECTORY(14, 23, "is a directory"),
    WRONG_EPOCH(15, 24, "wrong master epoch"),
    CANCELLED(16, 25, "cancelled"),
    PROTOCOL_ERROR(17, 26, "protocol error"),
    INTERNAL(18, 27, "internal error"),
    /**
     * The call may or may not have taken effect: a write reached a master that lost mastership
     * before the command was known to commit, or the connection broke (or no answer came in time)
     * after the write was sent. Not retried by the client library; check before retrying.
     * Since api 1.1.0; an older peer reads it as INTERNAL.
     */
    OUTCOME_UNKNOWN(19, 28, "outcome unknown"),
    /**
     * The call was routed to another partition than the one holding its node (a stale partition
     * map, docs/PARTITIONING.md section 3): nothing was applied; the answer carries the cell's
     * partition map, so the client takes it and retries. Since api 1.3.0; an older peer reads it
     * as INTERNAL.
     */
    WRONG_PARTITION(20, 29, "wrong partition");

    private final int wire;
    private final int exitCode;
    private final String description;

    ErrorCode(int wire, int exitCode, String description) {
        this.wire = wire;
        this.exitCode = exitCode;
        this.description = description;
    }

    /** The number used for this code in protocol messages. */
    public int wire() {
        return wire;
    }

    /** The process exit code the {@code chubby} command uses for this error. */
    public int exitCode() {
        return exitCode;
    }

    public String description() {
        return description;
    }

    /**
     * Whether a client should find the master again and retry: the call certainly did not take
     * effect. False for {@link #OUTCOME_UNKNOWN}, which must not be retried blindly.
     */
    public boolean relocate() {
        return this == NOT_MASTER || this == WRONG_EPOCH || this == CELL_UNAVAILABLE || this == WRONG_PARTITION;
    }

    public static ErrorCode fromWire(int wire) {
        for (ErrorCode c : values()) {
            if (c.wire == wire) {
                return c;
            }
        }
        return INTERNAL;
    }
}
