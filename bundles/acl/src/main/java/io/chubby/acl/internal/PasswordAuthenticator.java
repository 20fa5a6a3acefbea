package io.chubby.acl.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.Authenticator;
import io.chubby.spi.Principal;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Authenticator} over the passwords file: Shiro's password realm decides, the
 * {@link LoginLimiter} refuses hosts that failed too often, and every failure is logged (user,
 * remote address, failures in the minute; never the password). The user name {@code anonymous}
 * is reserved for connections that proved nothing and cannot log in.
 *
 * <p>Password hashes are slow on purpose (bcrypt cost 10: ~60 ms; argon2id as Shiro 2 makes it:
 * ~300 ms and 64 MiB each), and logins come on transport I/O threads: at most
 * {@code permits} checks run at once (the processor count), so a flood of logins cannot exhaust
 * the heap; a login that waits longer than {@link #BUSY_WAIT_MS} for its turn is refused as busy
 * (not counted as a failure).
 */
final class PasswordAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(PasswordAuthenticator.class);

    static final long BUSY_WAIT_MS = 2_000;

    private final ShiroSecurity shiro;
    private final LoginLimiter limiter;
    private final Semaphore checks;

    PasswordAuthenticator(ShiroSecurity shiro, LoginLimiter limiter) {
        this(shiro, limiter, Runtime.getRuntime().availableProcessors());
    }

    PasswordAuthenticator(ShiroSecurity shiro, LoginLimiter limiter, int permits) {
        this.shiro = shiro;
        this.limiter = limiter;
        this.checks = new Semaphore(Math.max(1, permits));
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
                && check(who, password, remoteAddress);
        if (!ok) {
            int failures = limiter.failed(host);
            LOG.warn("login failed user={} remote={} failures.this.minute={}", who, remoteAddress, failures);
            throw ChubbyException.of(ErrorCode.PERMISSION_DENIED,
                    "login as %s failed: unknown user or wrong password", who);
        }
        return new Principal(who, Principal.Mechanism.PASSWORD);
    }

    private boolean check(String user, char[] password, String remoteAddress) {
        try {
            if (!checks.tryAcquire(BUSY_WAIT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("login refused user={} remote={}: {} password checks already running for {} ms", user,
                        remoteAddress, checks.availablePermits() == 0 ? "all" : "too many", BUSY_WAIT_MS);
                throw ChubbyException.of(ErrorCode.PERMISSION_DENIED, "login as %s refused: the replica is busy "
                        + "checking other logins, try again", user);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ChubbyException.of(ErrorCode.PERMISSION_DENIED, "login as %s refused: interrupted", user);
        }
        try {
            return shiro.authenticate(user, password);
        } finally {
            checks.release();
        }
    }
}
