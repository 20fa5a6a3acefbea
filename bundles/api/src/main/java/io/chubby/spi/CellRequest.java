package io.chubby.spi;

import io.chubby.api.CreateMode;
import io.chubby.api.NodePath;
import io.chubby.api.OpenMode;
import java.util.Objects;
import java.util.Set;

/**
 * One client call, decoded once at the edge of the cell: what {@link RequestFilter}s and the
 * {@link Authorizer} see. It names the session, the principal (through the connection) and the
 * node the call touches; no wire type appears in it.
 *
 * <p>For calls on a handle, {@link #path} and {@link #modes} are the handle's (its check digits,
 * session and open state were verified before the request was built, so a forged handle never
 * reaches a plug-in). For {@code OPEN} they are the requested path and modes, and {@link #create}
 * says whether the call may create the node. For {@code CHECK_SEQUENCER} the path is the lock's,
 * when the sequencer is authentic.
 *
 * @param callId     the client's call id (echoed in the answer)
 * @param operation  what the call does
 * @param sessionId  the caller's session, 0 for calls outside a session
 * @param epoch      the master epoch the client believes in (0: any)
 * @param connection the connection the call came on (its principal, id and remote address)
 * @param path       the node the call touches, or null when it touches none
 * @param modes      open modes (requested by OPEN, held by the handle otherwise); empty if none
 * @param create     OPEN's create mode; {@link CreateMode#NO} for every other call
 * @since 1.2
 */
public record CellRequest(long callId, CellOperation operation, long sessionId, long epoch,
                          ClientConnection connection, NodePath path, Set<OpenMode> modes, CreateMode create) {

    public CellRequest {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(connection, "connection");
        modes = modes == null ? Set.of() : Set.copyOf(modes);
        create = create == null ? CreateMode.NO : create;
    }

    /** Who is asking (the connection's principal). */
    public Principal principal() {
        return connection.principal();
    }

    /** True for an OPEN that may create its node (create MAY or MUST). */
    public boolean creates() {
        return operation == CellOperation.OPEN && create != CreateMode.NO;
    }

    @Override
    public String toString() {
        return operation + (path == null ? "" : " " + path) + (modes.isEmpty() ? "" : " " + modes)
                + (creates() ? " create=" + create : "") + " session=" + sessionId + " principal=" + principal()
                + " conn=" + connection.id();
    }
}
