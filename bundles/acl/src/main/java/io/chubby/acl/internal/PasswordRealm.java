package io.chubby.acl.internal;

import org.apache.shiro.authc.AuthenticationInfo;
import org.apache.shiro.authc.AuthenticationToken;
import org.apache.shiro.authc.SimpleAuthenticationInfo;
import org.apache.shiro.authc.UsernamePasswordToken;
import org.apache.shiro.authc.credential.DefaultPasswordService;
import org.apache.shiro.authc.credential.PasswordMatcher;
import org.apache.shiro.realm.AuthenticatingRealm;

/**
 * The Shiro realm that checks a user name and password against the {@link PasswordFile}: Shiro's
 * {@link PasswordMatcher} with its {@link DefaultPasswordService} compares the submitted password
 * with the stored hash (whose format names its algorithm: argon2id by default, bcrypt too). An
 * unknown user yields no account; Shiro then runs a simulated comparison so that unknown users and
 * wrong passwords take about the same time. No authentication cache: the file is the truth.
 */
final class PasswordRealm extends AuthenticatingRealm {
    static final String NAME = "chubby-passwords";

    private final PasswordFile file;

    PasswordRealm(PasswordFile file) {
        this.file = file;
        PasswordMatcher matcher = new PasswordMatcher();
        matcher.setPasswordService(new DefaultPasswordService());
        setCredentialsMatcher(matcher);
        setName(NAME);
        setAuthenticationCachingEnabled(false);
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
