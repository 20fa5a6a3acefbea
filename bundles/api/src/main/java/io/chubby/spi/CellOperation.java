package io.chubby.spi;

/**
 * The calls of the client protocol, as request filters and the authorizer see them. Calls are
 * classified once, here, so that a plug-in need not know the wire format.
 *
 * @since 1.2
 */
public enum CellOperation {
    MASTER_LOCATION(Kind.CELL),
    STATUS(Kind.CELL),
    ADMIN(Kind.CELL),
    CREATE_SESSION(Kind.SESSION),
    KEEP_ALIVE(Kind.SESSION),
    CLOSE_SESSION(Kind.SESSION),
    OPEN(Kind.NODE_READ),
    CLOSE(Kind.NODE_READ),
    GET_CONTENTS(Kind.NODE_READ),
    GET_STAT(Kind.NODE_READ),
    READ_DIR(Kind.NODE_READ),
    SET_CONTENTS(Kind.NODE_WRITE),
    SET_ACL(Kind.NODE_WRITE),
    DELETE(Kind.NODE_WRITE),
    ACQUIRE(Kind.NODE_WRITE),
    RELEASE(Kind.NODE_WRITE),
    GET_SEQUENCER(Kind.NODE_READ),
    CHECK_SEQUENCER(Kind.NODE_READ),
    SET_SEQUENCER(Kind.NODE_WRITE),
    LOCK_INFO(Kind.NODE_READ);

    /** What a call is about. */
    public enum Kind {
        /** The cell as a whole (where is the master, status, operator commands); no session. */
        CELL,
        /** The caller's session itself. */
        SESSION,
        /** A node, without changing it (OPEN may create: see {@link CellRequest#creates()}). */
        NODE_READ,
        /** A node's contents, ACL names, existence or lock. */
        NODE_WRITE
    }

    private final Kind kind;

    CellOperation(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** True for calls about a node (their request names its path once decoded). */
    public boolean touchesNode() {
        return kind == Kind.NODE_READ || kind == Kind.NODE_WRITE;
    }
}
