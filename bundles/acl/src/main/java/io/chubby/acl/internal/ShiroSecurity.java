package io.chubby.acl.internal;

import io.chubby.spi.NamespaceView;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.shiro.authc.AuthenticationException;
import org.apache.shiro.authc.UsernamePasswordToken;
import org.apache.shiro.mgt.DefaultSecurityManager;
import org.apache.shiro.realm.Realm;
import org.apache.shiro.subject.SimplePrincipalCollection;

/**
 * Apache Shiro, assembled in code (no INI, no {@code SecurityUtils}, no subjects or sessions): a
 * {@link DefaultSecurityManager} over the {@link AclRealm} and, when a passwords file is
 * configured, the {@link PasswordRealm}. The rest of the bundle asks it two questions, membership
 * and authentication; no Shiro type leaves this package.
 *
 * <p>Every call into Shiro runs with the thread context class loader set to this bundle's class
 * loader: Shiro finds its hash algorithms with {@link java.util.ServiceLoader} on that loader, and
 * the embedded Shiro jars (and their {@code META-INF/services}) are only visible through it. The
 * caller's loader is put back afterwards (calls come on transport I/O threads).
 *
 * <p>Principals are plain {@link String} names in a {@link SimplePrincipalCollection}, built per
 * call and never serialised. Thread-safe.
 */
final class ShiroSecurity {
    private static final ClassLoader SHIRO_LOADER = ShiroSecurity.class.getClassLoader();

    private final DefaultSecurityManager manager;

    /**
     * @param cache     the parsed ACL files shared with the change feed
     * @param passwords the passwords file, or null when password logins are not configured
     */
    ShiroSecurity(AclFileCache cache, PasswordFile passwords) {
        List<Realm> realms = new ArrayList<>();
        realms.add(new AclRealm(cache));
        if (passwords != null) {
            realms.add(new PasswordRealm(passwords));
        }
        this.manager = withShiroLoader(() -> new DefaultSecurityManager(realms));
    }

    /** Membership of {@code principal} in the ACL file {@code aclName}, decided by the {@link AclRealm}. */
    Membership.Result member(String principal, String aclName, NamespaceView view) {
        AclPermission p = new AclPermission(aclName, view);
        boolean permitted = withShiroLoader(
                () -> manager.isPermitted(new SimplePrincipalCollection(principal, AclRealm.NAME), p));
        Membership.Result r = p.result();
        if (r == null) {
            throw new IllegalStateException("no realm checked " + p);
        }
        if (permitted != r.member()) {
            throw new IllegalStateException("Shiro answered " + permitted + " but the ACL realm found " + r);
        }
        return r;
    }

    /**
     * True when the password matches the user's stored hash (the {@link PasswordRealm}); false for
     * an unknown user or a wrong password, alike.
     */
    boolean authenticate(String user, char[] password) {
        UsernamePasswordToken token = new UsernamePasswordToken(user, password);
        try {
            return withShiroLoader(() -> {
                try {
                    manager.authenticate(token);
                    return true;
                } catch (AuthenticationException e) {
                    return false;
                }
            });
        } finally {
            token.clear();
        }
    }

    private static <T> T withShiroLoader(Supplier<T> call) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(SHIRO_LOADER);
        try {
            return call.get();
        } finally {
            t.setContextClassLoader(previous);
        }
    }

}
