package io.chubby.console.internal;

import io.chubby.spi.Principal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Who may use the console (every page, the web console's own included), decided once per request.
 * Two modes:
 * <ul>
 *   <li><b>cell authentication</b> (an {@code Authenticator} is bound: the acl bundle is
 *       configured): the browser logs in with the cell's credentials (HTTP Basic); the principal
 *       must hold the cell's admin permission (the {@code Authorizer} allows it {@code ADMIN}).</li>
 *   <li><b>local</b> (no authenticator): only from a loopback address, with the console's own
 *       user and password (PID {@code io.chubby.console}: {@code console.user}, and
 *       {@code console.password.hash}, salted PBKDF2, or the older unsalted
 *       {@code console.password.sha256}: {@link LocalPassword}). Without a password configured
 *       nobody gets in.</li>
 * </ul>
 * Pure: the login and the admin check are functions handed in.
 */
final class Gate {
    /** What the request gets. */
    enum Outcome { ALLOW, CHALLENGE, FORBIDDEN }

    /**
     * @param outcome {@link Outcome#ALLOW}: go on as {@code user}; {@link Outcome#CHALLENGE}: 401 asking
     *                for credentials of {@code realm}; {@link Outcome#FORBIDDEN}: 403 with {@code reason}
     */
    record Decision(Outcome outcome, String user, String reason) {
    }

    static final String REALM = "Chubby console";

    private Gate() {
    }

    /**
     * A request with the cell's authentication configured.
     *
     * @param login   the cell's check of the credentials: the principal, or null when refused
     * @param isAdmin whether a principal holds the admin permission
     */
    static Decision withCellLogin(Optional<Credentials> credentials, Function<Credentials, Principal> login,
                                  Predicate<Principal> isAdmin) {
        if (credentials.isEmpty()) {
            return challenge("log in with the cell's credentials");
        }
        Principal p = login.apply(credentials.get());
        if (p == null) {
            return challenge("wrong user name or password");
        }
        if (!isAdmin.test(p)) {
            return new Decision(Outcome.FORBIDDEN, p.name(), p.name() + " has no admin permission in this cell");
        }
        return new Decision(Outcome.ALLOW, p.name(), "");
    }

    /**
     * A request without cell authentication.
     *
     * @param remoteAddress  the client's address
     * @param user           {@code console.user}
     * @param password       the configured password (possibly none)
     */
    static Decision local(Optional<Credentials> credentials, String remoteAddress, String user, LocalPassword password) {
        if (!loopback(remoteAddress)) {
            return new Decision(Outcome.FORBIDDEN, "", "without cell authentication the console answers loopback only");
        }
        if (password.problem() != null) {
            return new Decision(Outcome.FORBIDDEN, "", password.problem() + " (PID " + ConsoleComponent.PID + ")");
        }
        if (!password.configured()) {
            return new Decision(Outcome.FORBIDDEN, "", "no console password configured (console.password.hash in "
                    + "PID " + ConsoleComponent.PID + ": chubby console passwd)");
        }
        if (credentials.isEmpty()) {
            return challenge("log in with the console's user and password");
        }
        Credentials c = credentials.get();
        boolean good = c.user().equals(user) & password.matches(c.password());
        return good ? new Decision(Outcome.ALLOW, c.user(), "") : challenge("wrong user name or password");
    }

    private static Decision challenge(String reason) {
        return new Decision(Outcome.CHALLENGE, "", reason);
    }

    /** Whether the address is a loopback literal (never resolved by name). */
    static boolean loopback(String address) {
        if (address == null || address.isEmpty() || !(Character.isDigit(address.charAt(0)) || address.contains(":"))) {
            return false;
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
