package io.chubby.cell.internal.calls;

import io.chubby.api.NodePath;
import io.chubby.api.OpenMode;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.HandleRecord;
import io.chubby.cell.internal.state.Modes;
import io.chubby.protocol.Request;
import io.chubby.spi.AclFileVersion;
import io.chubby.spi.CellOperation;
import io.chubby.spi.CellRequest;
import io.chubby.spi.ClientConnection;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One client call as decoded by {@link RequestDecoder}: the wire request, what it does, the handle
 * it names (already authenticated against the state: check digits, session, open) and the node it
 * touches. The plug-in view {@link CellRequest} is built from it only when a filter or the
 * authorizer asks (most calls on a cell without plug-ins never build it). Immutable apart from
 * that memo and the ACL versions admission recorded; used by one thread at a time (the
 * connection's I/O thread).
 */
final class Call {
    final ClientConnection conn;
    final Request req;
    final CellOperation op;
    /** The call's handle, checked; null for calls without one (and for a CLOSE of a dead handle). */
    final HandleRecord handle;
    /** The node the call touches, or null; computed lazily for handle calls (see {@link #path()}). */
    private final Supplier<NodePath> pathOf;
    private NodePath path;
    private boolean pathKnown;
    private CellRequest view;
    /** The ACL file versions the authorizer's allow rested on; empty when none was consulted. */
    private List<Command.AclVersion> acls = List.of();

    Call(ClientConnection conn, Request req, CellOperation op, HandleRecord handle, Supplier<NodePath> pathOf) {
        this.conn = conn;
        this.req = req;
        this.op = op;
        this.handle = handle;
        this.pathOf = pathOf;
    }

    /** A call that touches no node. */
    static Call of(ClientConnection conn, Request req, CellOperation op) {
        return new Call(conn, req, op, null, () -> null);
    }

    long sessionId() {
        return req.getSessionId();
    }

    long callId() {
        return req.getCallId();
    }

    NodePath path() {
        if (!pathKnown) {
            path = pathOf.get();
            pathKnown = true;
        }
        return path;
    }

    /** Records the ACL files an authorizer read to admit this call (pipeline, before the call is served). */
    void admittedOn(List<AclFileVersion> consulted) {
        if (consulted.isEmpty()) {
            return; // a superuser, or an authorizer that read no ACL file: nothing to guard
        }
        List<Command.AclVersion> out = new ArrayList<>(consulted.size());
        for (AclFileVersion v : consulted) {
            out.add(new Command.AclVersion(v.path(), v.instance(), v.generation()));
        }
        acls = List.copyOf(out);
    }

    /**
     * The command to propose for this call: guarded by the ACL file versions its admission rested
     * on, so the apply refuses it if one of them changed in between (SPEC section 9).
     */
    Command guarded(Command command) {
        return acls.isEmpty() ? command : new Command.Guarded(acls, command);
    }

    /** The call as plug-ins see it. */
    CellRequest request() {
        if (view == null) {
            int bits = op == CellOperation.OPEN ? Modes.normalise(req.getOpen().getModeBits())
                    : handle == null ? 0 : handle.modeBits();
            view = new CellRequest(req.getCallId(), op, req.getSessionId(), req.getEpoch(), conn, path(), modes(bits),
                    op == CellOperation.OPEN ? RequestDecoder.createMode(req.getOpen()) : null);
        }
        return view;
    }

    static Set<OpenMode> modes(int bits) {
        Set<OpenMode> m = EnumSet.noneOf(OpenMode.class);
        if ((bits & Modes.READ) != 0) {
            m.add(OpenMode.READ);
        }
        if ((bits & Modes.WRITE) != 0) {
            m.add(OpenMode.WRITE);
        }
        if ((bits & Modes.CHANGE_ACL) != 0) {
            m.add(OpenMode.CHANGE_ACL);
        }
        return m;
    }
}
