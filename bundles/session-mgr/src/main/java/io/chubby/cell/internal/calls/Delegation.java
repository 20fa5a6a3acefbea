package io.chubby.cell.internal.calls;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.Principal;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a call is made for when it names a principal ({@code Request.on_behalf_of},
 * {@code GroupMember.on_behalf_of}, protocol 1.4.0): only a connection authenticated by a TLS
 * certificate whose CN is a trusted proxy principal ({@code cell.proxy.principals}) may name one;
 * the call is then handled as that principal's ({@link ActingConnection}). Anyone else naming a
 * principal is refused PERMISSION_DENIED, with one WARN line per refusal. The acting principal
 * keeps the proxy connection's mechanism (the proxy vouches for it; the cell cannot tell how the
 * client proved itself at the proxy), except {@code anonymous}, which stays a principal that
 * proved nothing. Immutable apart from its counters; thread-safe.
 */
final class Delegation {
    private static final Logger log = LoggerFactory.getLogger(Delegation.class);
    /** Longest principal name accepted (a certificate CN is at most 64 characters; user names are short). */
    static final int MAX_NAME = 256;

    private final Set<String> proxies;
    private final AtomicLong carried = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    Delegation(Set<String> proxies) {
        this.proxies = Set.copyOf(proxies);
    }

    /** {@code conn} acting for {@code onBehalfOf}, or {@code conn} itself when that is empty. */
    ClientConnection actingFor(ClientConnection conn, String onBehalfOf) {
        if (onBehalfOf.isEmpty()) {
            return conn;
        }
        return new ActingConnection(conn, principal(conn, onBehalfOf));
    }

    /**
     * The principal {@code conn} may act as when it names {@code onBehalfOf}.
     *
     * @throws ChubbyException PERMISSION_DENIED when the connection is not a trusted proxy's,
     *                         INVALID_ARGUMENT when the name cannot be a principal's
     */
    Principal principal(ClientConnection conn, String onBehalfOf) {
        Principal proxy = conn.principal();
        if (proxy.mechanism() != Principal.Mechanism.TLS_CERTIFICATE || !proxies.contains(proxy.name())) {
            refused.incrementAndGet();
            log.warn("on_behalf_of refused principal={} on_behalf_of={} conn={} remote={}: not a trusted proxy "
                    + "(cell.proxy.principals)", proxy, onBehalfOf, conn.id(), conn.remoteAddress());
            throw ChubbyException.of(ErrorCode.PERMISSION_DENIED, "%s may not act on behalf of %s: only the proxy "
                    + "principals of cell.proxy.principals, authenticated by TLS certificate, may", proxy.name(),
                    onBehalfOf);
        }
        if (onBehalfOf.isBlank() || onBehalfOf.length() > MAX_NAME || !onBehalfOf.strip().equals(onBehalfOf)
                || onBehalfOf.chars().anyMatch(Character::isISOControl)) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "on_behalf_of '%s' is not a principal's name",
                    onBehalfOf);
        }
        carried.incrementAndGet();
        return onBehalfOf.equals(Principal.ANONYMOUS.name()) ? Principal.ANONYMOUS
                : new Principal(onBehalfOf, proxy.mechanism());
    }

    /** Calls and group members accepted on behalf of another principal. */
    long carried() {
        return carried.get();
    }

    /** Calls and group members refused for naming a principal from an untrusted connection. */
    long refused() {
        return refused.get();
    }
}
