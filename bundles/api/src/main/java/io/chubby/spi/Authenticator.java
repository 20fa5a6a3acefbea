package io.chubby.spi;

import io.chubby.api.ChubbyException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Checks a user name and password a client presents in its Hello (the acl bundle implements it
 * with an Apache Shiro realm over a file of hashed passwords). The client acceptor calls it once
 * per connection, never per request, and binds the returned principal to the connection; every
 * session created on that connection belongs to it.
 *
 * <p>Without an authenticator bound, a Hello carrying a password is refused with
 * {@code PERMISSION_DENIED} (never accepted as anonymous). The implementation rate-limits failures
 * per remote address and logs them.
 *
 * <p>Called on transport I/O threads, concurrently; must be thread-safe. It may take a few
 * milliseconds (password hashing) but must not block on the network or on consensus.
 *
 * @since 1.3
 */
@ConsumerType
public interface Authenticator {
    /**
     * Checks the credentials.
     *
     * @param user          the user name the client gave
     * @param password      the password (the caller clears the array afterwards)
     * @param remoteAddress the connection's remote address, for rate limiting and logs
     * @return the authenticated principal, mechanism {@link Principal.Mechanism#PASSWORD}
     * @throws ChubbyException {@code PERMISSION_DENIED} naming the user (not why: unknown user and
     *                         wrong password read the same) when the credentials are wrong or the
     *                         address is rate-limited
     */
    Principal authenticate(String user, char[] password, String remoteAddress) throws ChubbyException;
}
