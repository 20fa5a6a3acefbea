package io.chubby.acl.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.Authenticator;
import io.chubby.spi.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Authenticator} over the passwords file: Shiro's password realm decides, the
 * {@link LoginLimiter} refuses hosts that failed too often, and every failure is logged (user,
 * remote address, failures in the minute; never the password). The user name {@code anonymous}
 * is reserved for connections that proved nothing and cannot log in.
 */
final class PasswordAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(PasswordAuthenticator.class);

    private final ShiroSecurity shiro;
    private final LoginLimiter limiter;

    PasswordAuthenticator(ShiroSecurity shiro, LoginLimiter limiter) {
        this.shiro = shiro;
        this.limiter = limiter;
    }

    @Override
    public Principal authenticate(String user, char[] password, String remoteAddress) {
        String host = LoginLimiter.hostOf(remoteAddress);
        String who = user == null ? "" : user;
        boolean[] first = new boolean[1];
        long waitMs = limiter.refusedForMillis(host, first);
        if (waitMs > 0) {
            if (first[0]) {
                LOG.warn("login refused user={} remote={}: too many failed logins from {} in a minute; "
                        + "refusing its logins for {} ms (further refusals in this minute are not logged)", who,
                        remoteAddress, host, waitMs);
            }
            throw ChubbyException.of(ErrorCode.PERMISSION_DENIED, "login as %s refused: too many failed logins from "
                    + "%s, try again in %d s", who, host, (waitMs + 999) / 1000);
        }
        boolean ok = !who.isBlank() && !who.equals(Principal.ANONYMOUS.name()) && password != null
                && shiro.authenticate(who, password);
        if (!ok) {
            int failures = limiter.failed(host);
            LOG.warn("login failed user={} remote={} failures.this.minute={}", who, remoteAddress, failures);
            throw ChubbyException.of(ErrorCode.PERMISSION_DENIED,
                    "login as %s failed: unknown user or wrong password", who);
        }
        return new Principal(who, Principal.Mechanism.PASSWORD);
    }
}
