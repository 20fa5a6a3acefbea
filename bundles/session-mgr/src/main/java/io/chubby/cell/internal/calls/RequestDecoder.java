package io.chubby.cell.internal.calls;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.HandleRecord;
import io.chubby.cell.internal.state.Node;
import io.chubby.cell.internal.state.Sequencer;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.spi.CellOperation;
import io.chubby.spi.ClientConnection;

/**
 * Decodes a client call once, at the edge of the cell: which operation it is, and for calls on a
 * node the handle it names (authenticated against the replicated state: check digits, owning
 * session, still open, node instance still there, sequencer fence) or, for Open, the absolute
 * path it names (validated, {@code local} resolved to this cell, relative names resolved against
 * their directory handle). Everything later (filters, the authorizer, the file and lock calls)
 * works on the result, so a forged handle or a bad path is refused here, with the same typed error
 * as ever, before any plug-in sees it. Thread-safe (reads state through {@link CellStateMachine#read}).
 */
final class RequestDecoder {
    private final CellStateMachine machine;
    private final String cell;

    RequestDecoder(CellStateMachine machine, String cell) {
        this.machine = machine;
        this.cell = cell;
    }

    /** The operation of a request; INVALID_ARGUMENT for one without a body (or one this server does not know). */
    static CellOperation operation(Request req) {
        return switch (req.getBodyCase()) {
            case MASTER_LOCATION -> CellOperation.MASTER_LOCATION;
            case STATUS -> CellOperation.STATUS;
            case ADMIN -> CellOperation.ADMIN;
            case CREATE_SESSION -> CellOperation.CREATE_SESSION;
            case KEEP_ALIVE, GROUP_KEEP_ALIVE -> CellOperation.KEEP_ALIVE;
            case CLOSE_SESSION -> CellOperation.CLOSE_SESSION;
            case OPEN -> CellOperation.OPEN;
            case CLOSE -> CellOperation.CLOSE;
            case GET_CONTENTS -> CellOperation.GET_CONTENTS;
            case GET_STAT -> CellOperation.GET_STAT;
            case READ_DIR -> CellOperation.READ_DIR;
            case SET_CONTENTS -> CellOperation.SET_CONTENTS;
            case SET_ACL -> CellOperation.SET_ACL;
            case DELETE -> CellOperation.DELETE;
            case ACQUIRE -> CellOperation.ACQUIRE;
            case RELEASE -> CellOperation.RELEASE;
            case GET_SEQUENCER -> CellOperation.GET_SEQUENCER;
            case CHECK_SEQUENCER -> CellOperation.CHECK_SEQUENCER;
            case SET_SEQUENCER -> CellOperation.SET_SEQUENCER;
            case LOCK_INFO -> CellOperation.LOCK_INFO;
            case BODY_NOT_SET -> throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, noCall(req));
        };
    }

    /**
     * Why a request names no call: none was set, or (a field this build does not know) the client
     * made a call added to the protocol after this replica was built (docs/PROTOCOL.md, Compatibility).
     */
    private static String noCall(Request req) {
        var unknown = req.getUnknownFields().asMap().keySet();
        if (unknown.isEmpty()) {
            return "request has no body";
        }
        return "request has no call this replica knows (unknown field" + (unknown.size() > 1 ? "s " : " ")
                + unknown.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                + "): a call newer than this replica's protocol";
    }

    static CreateMode createMode(OpenRequest o) {
        int c = o.getCreateValue();
        if (c < 0 || c > 2) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "unknown create mode %d", c);
        }
        return CreateMode.values()[c];
    }

    /** Decodes a call on a node (the caller has checked mastership, epoch and session). */
    Call decode(ClientConnection conn, Request req, CellOperation op) {
        long session = req.getSessionId();
        return switch (op) {
            case OPEN -> {
                NodePath p = openPath(session, req.getOpen());
                yield new Call(conn, req, op, null, () -> p);
            }
            case CLOSE -> {
                // Close never fails: a bad, closed or stale handle is passed on as null.
                HandleRecord h;
                try {
                    h = machine.read(s -> s.checkHandle(req.getClose().getHandle().toByteArray(), session));
                } catch (ChubbyException e) {
                    h = null;
                }
                yield handleCall(conn, req, op, h);
            }
            case CHECK_SEQUENCER -> new Call(conn, req, op, null, () -> sequencerPath(req));
            default -> handleCall(conn, req, op,
                    machine.read(s -> s.checkHandle(handleBytes(req), session)));
        };
    }

    private Call handleCall(ClientConnection conn, Request req, CellOperation op, HandleRecord h) {
        return new Call(conn, req, op, h, () -> h == null ? null : absolute(h.path()));
    }

    private static byte[] handleBytes(Request req) {
        return switch (req.getBodyCase()) {
            case GET_CONTENTS -> req.getGetContents().getHandle().toByteArray();
            case GET_STAT -> req.getGetStat().getHandle().toByteArray();
            case READ_DIR -> req.getReadDir().getHandle().toByteArray();
            case SET_CONTENTS -> req.getSetContents().getHandle().toByteArray();
            case SET_ACL -> req.getSetAcl().getHandle().toByteArray();
            case DELETE -> req.getDelete().getHandle().toByteArray();
            case ACQUIRE -> req.getAcquire().getHandle().toByteArray();
            case RELEASE -> req.getRelease().getHandle().toByteArray();
            case GET_SEQUENCER -> req.getGetSequencer().getHandle().toByteArray();
            case SET_SEQUENCER -> req.getSetSequencer().getHandle().toByteArray();
            case LOCK_INFO -> req.getLockInfo().getHandle().toByteArray();
            default -> throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "%s names no handle", req.getBodyCase());
        };
    }

    private NodePath absolute(String cellRelative) {
        return cellRelative.equals("/") ? NodePath.root(cell) : NodePath.parse("/ls/" + cell + cellRelative);
    }

    /** The lock's path named by an authentic sequencer, else null (CheckSequencer answers why). */
    private NodePath sequencerPath(Request req) {
        byte[] bytes = req.getCheckSequencer().getSequencer().toByteArray();
        try {
            return NodePath.parse(machine.read(s -> Sequencer.decode(bytes, s.secret())).path());
        } catch (ChubbyException e) {
            return null;
        }
    }

    /** The absolute path an Open names: validated, {@code local} resolved, relative to a directory handle if given. */
    private NodePath openPath(long session, OpenRequest o) {
        if (!o.getDirHandle().isEmpty()) {
            if (o.getPath().startsWith("/")) {
                throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT,
                        "'%s' is absolute: with a directory handle the path must be relative", o.getPath());
            }
            HandleRecord dir = machine.read(s -> s.checkHandle(o.getDirHandle().toByteArray(), session));
            Node n = machine.read(s -> s.nodeOf(dir));
            if (!n.directory()) {
                throw ChubbyException.of(ErrorCode.NOT_A_DIRECTORY, "%s is a file: cannot open relative to it",
                        absolute(dir.path()));
            }
            return absolute(dir.path()).resolve(o.getPath());
        }
        NodePath p = NodePath.parse(o.getPath());
        if (p.cell().equals(NodePath.LOCAL_CELL)) {
            return p.inCell(cell);
        }
        if (!p.cell().equals(cell)) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "%s names cell '%s' but this is cell '%s'", p,
                    p.cell(), cell);
        }
        return p;
    }
}
