package io.chubby.acl.internal;

import org.apache.shiro.authc.AuthenticationInfo;
import org.apache.shiro.authc.AuthenticationToken;
import org.apache.shiro.authc.SimpleAuthenticationInfo;
import org.apache.shiro.authc.UsernamePasswordToken;
import org.apache.shiro.authc.credential.DefaultPasswordService;
import org.apache.shiro.authc.credential.PasswordMatcher;
import org.apache.shiro.crypto.hash.DefaultHashService;
import org.apache.shiro.realm.AuthenticatingRealm;

/**
 * The Shiro realm that checks a user name and password against the {@link PasswordFile}: Shiro's
 * {@link PasswordMatcher} with its {@link DefaultPasswordService} compares the submitted password
 * with the stored hash (whose format names its algorithm: bcrypt or argon2id). An
 * unknown user yields no account; Shiro then runs a simulated comparison so that unknown users and
 * wrong passwords take about the same time. No authentication cache: the file is the truth.
 */
final class PasswordRealm extends AuthenticatingRealm {
    static final String NAME = "chubby-passwords";
    /** Shiro's name of bcrypt (shiro-hashes-bcrypt). */
    static final String BCRYPT = "2y";

    private final PasswordFile file;

    PasswordRealm(PasswordFile file) {
        this.file = file;
        PasswordMatcher matcher = new PasswordMatcher();
        matcher.setPasswordService(passwordService());
        setCredentialsMatcher(matcher);
        setName(NAME);
        setAuthenticationCachingEnabled(false);
    }

    /**
     * Shiro's password service with bcrypt ("2y", cost 10) as the algorithm of new hashes: it
     * verifies any stored hash whatever its algorithm (the format names it), and the simulated
     * comparison run for unknown users then costs what a bcrypt check costs, like the hashes
     * {@code chubby acl passwd} writes by default.
     */
    static DefaultPasswordService passwordService() {
        DefaultHashService hashes = new DefaultHashService();
        hashes.setDefaultAlgorithmName(BCRYPT);
        DefaultPasswordService s = new DefaultPasswordService();
        s.setHashService(hashes);
        return s;
    }

    @Override
    public boolean supports(AuthenticationToken token) {
        return token instanceof UsernamePasswordToken;
    }

    @Override
    protected AuthenticationInfo doGetAuthenticationInfo(AuthenticationToken token) {
        String user = ((UsernamePasswordToken) token).getUsername();
        String hash = user == null ? null : file.hashOf(user);
        return hash == null ? null : new SimpleAuthenticationInfo(user, hash, getName());
    }
}
