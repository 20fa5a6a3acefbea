package io.chubby.proxy.internal;

import io.chubby.protocol.GroupMember;
import io.chubby.protocol.Request;
import io.chubby.spi.ClientConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Whose calls the proxy forwards (issues 16 and 17, protocol 1.4.0): every call a client makes
 * goes upstream with {@code on_behalf_of} = the principal the proxy's client acceptor
 * authenticated on that client's connection (its TLS certificate's CN, a password login checked
 * here, or {@code anonymous}), and every group KeepAlive member with the principal of the
 * connection that renews it; the cell accepts this from the proxy's own certificate
 * ({@code cell.proxy.principals}) and decides as that client. A value a client put in the field
 * itself is overwritten.
 *
 * <p>Carried only when the proxy has a principal of its own upstream (a client certificate,
 * {@code proxy.upstream.tls.cert}); otherwise every client acts upstream as the proxy's
 * connection does (anonymous), the field is cleared, and nothing is carried. Thread-safe.
 */
final class Principals {
    private final boolean carrying;
    private final AtomicLong carried = new AtomicLong();

    Principals(boolean carrying) {
        this.carrying = carrying;
    }

    /** Whether client principals go upstream (the proxy authenticates upstream with a certificate). */
    boolean carrying() {
        return carrying;
    }

    /** The principal upstream calls of {@code conn} are made for: its own, or "" when not carrying. */
    String of(ClientConnection conn) {
        return carrying ? conn.principal().name() : "";
    }

    /** {@code req} as it goes upstream for the client on {@code conn}. */
    byte[] upstream(ClientConnection conn, Request req, byte[] bytes) {
        String p = of(conn);
        if (!p.isEmpty()) {
            carried.incrementAndGet();
        }
        return p.equals(req.getOnBehalfOf()) ? bytes : req.toBuilder().setOnBehalfOf(p).build().toByteArray();
    }

    /**
     * Group members with the principal of the client connection renewing each
     * ({@code connectionOf}: null for the proxy's own session, which goes as the proxy's).
     */
    List<GroupMember> stamp(List<GroupMember> members, LongFunction<ClientConnection> connectionOf) {
        if (!carrying) {
            return members;
        }
        List<GroupMember> out = new ArrayList<>(members.size());
        for (GroupMember m : members) {
            ClientConnection c = connectionOf.apply(m.getSessionId());
            if (c == null) {
                out.add(m);
            } else {
                carried.incrementAndGet();
                out.add(m.toBuilder().setOnBehalfOf(c.principal().name()).build());
            }
        }
        return out;
    }

    /**
     * Whether {@code conn} may renew, or be served from the cache for, a session the proxy renews
     * for {@code holder} (the connection it last heard from for it): only the same principal. A
     * session new here ({@code holder} null) is checked by the master.
     */
    boolean mayUse(ClientConnection conn, ClientConnection holder) {
        return !carrying || holder == null || holder.principal().name().equals(conn.principal().name());
    }

    /** Calls and group members sent upstream on behalf of a client's principal. */
    long carried() {
        return carried.get();
    }
}
