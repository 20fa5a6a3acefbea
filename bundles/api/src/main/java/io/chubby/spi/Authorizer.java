package io.chubby.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The authorization decision point of a cell replica (the acl bundle implements it). Consulted on
 * the master for every call except {@code MASTER_LOCATION}, {@code STATUS}, {@code KEEP_ALIVE},
 * {@code CLOSE_SESSION} and {@code CLOSE} (which never fail), after the request filters and before
 * anything is proposed, so a decision changes admission only, never the replay of the log.
 *
 * <p>Fail closed: when the cell's configuration enforces access control ({@code cell.acl.enforce})
 * and no authorizer is bound, those calls are refused with {@code PERMISSION_DENIED} saying so;
 * sessions stay. With several authorizers registered, the one with the highest
 * {@code service.ranking} decides.
 *
 * <p>Called on transport I/O threads, concurrently; must be thread-safe and must not block.
 *
 * @since 1.2
 */
@ConsumerType
public interface Authorizer {
    /**
     * An allow or a deny with the reason the client is told, and the ACL files the decision rested
     * on ({@link AclFileVersion}: the master carries them in the proposed command, and the apply
     * refuses the command if one changed meanwhile). A decision that read no ACL file (a
     * superuser, an authorizer that allows everything) names none.
     *
     * @since 1.3 (the {@code consulted} component)
     */
    record Decision(boolean allowed, String reason, java.util.List<AclFileVersion> consulted) {
        private static final Decision ALLOW = new Decision(true, "", java.util.List.of());

        public Decision {
            reason = reason == null ? "" : reason;
            consulted = consulted == null ? java.util.List.of() : java.util.List.copyOf(consulted);
        }

        /** The 1.2 constructor: a decision that names no ACL file. */
        public Decision(boolean allowed, String reason) {
            this(allowed, reason, java.util.List.of());
        }

        public static Decision allow() {
            return ALLOW;
        }

        /** An allow resting on these ACL file versions. @since 1.3 */
        public static Decision allow(java.util.List<AclFileVersion> consulted) {
            return new Decision(true, "", consulted);
        }

        public static Decision deny(String reason) {
            return new Decision(false, reason == null || reason.isBlank() ? "denied" : reason, java.util.List.of());
        }
    }

    /**
     * Decides one call.
     *
     * @param request   the decoded call
     * @param namespace the master's applied state (node ACL names, ACL files), read-only
     */
    Decision authorize(CellRequest request, NamespaceView namespace);
}
