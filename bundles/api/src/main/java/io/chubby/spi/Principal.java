package io.chubby.spi;

import java.util.Objects;

/**
 * Who is asking: the identity a transport authenticated for a client connection. Until access
 * control is configured every connection is {@link #ANONYMOUS}. A principal is a plain value (never
 * Java-serialised, never a Shiro subject): the name is what ACL files list.
 *
 * @param name      the principal's name as ACL files list it (a TLS subject's CN, a user name)
 * @param mechanism how the transport established it
 */
public record Principal(String name, Mechanism mechanism) {
    /** How a principal was authenticated. */
    public enum Mechanism {
        /** Not authenticated: the connection proved nothing. */
        NONE,
        /** The subject of a TLS client certificate signed by the cell's CA. */
        TLS_CERTIFICATE,
        /** A user name and password checked by a realm. */
        PASSWORD
    }

    /** The principal of every connection that proved nothing. */
    public static final Principal ANONYMOUS = new Principal("anonymous", Mechanism.NONE);

    public Principal {
        Objects.requireNonNull(mechanism, "mechanism");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a principal needs a name");
        }
    }

    /** True when the connection proved nothing about who it is. */
    public boolean anonymous() {
        return mechanism == Mechanism.NONE;
    }

    @Override
    public String toString() {
        return name + "(" + mechanism.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
