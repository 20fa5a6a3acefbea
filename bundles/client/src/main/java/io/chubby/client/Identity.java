package io.chubby.client;

/**
 * Who the cell took a connection to be ({@code chubby whoami}): the principal the replica named
 * in its HelloReply and how it was established.
 *
 * @param principal the name ACL files list ({@code anonymous} when nothing was proved)
 * @param mechanism how: a TLS client certificate, a password, or nothing
 * @param replica   the replica that answered ({@code host:port})
 * @since 1.4
 */
public record Identity(String principal, Mechanism mechanism, String replica) {
    /** How a connection's principal was established. */
    public enum Mechanism {
        /** Nothing was proved: anonymous. */
        NONE,
        /** The subject CN of this client's TLS certificate. */
        TLS_CERTIFICATE,
        /** A user name and password the cell's authenticator accepted. */
        PASSWORD
    }

    @Override
    public String toString() {
        return principal + " (" + mechanism.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ")";
    }
}
