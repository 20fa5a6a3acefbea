package io.chubby.acl.internal;

import org.apache.shiro.authc.AuthenticationInfo;
import org.apache.shiro.authc.AuthenticationToken;
import org.apache.shiro.authz.AuthorizationInfo;
import org.apache.shiro.authz.Permission;
import org.apache.shiro.realm.AuthorizingRealm;
import org.apache.shiro.subject.PrincipalCollection;

/**
 * The Shiro realm that answers "is this principal a member of that ACL file": its permission check
 * resolves membership from the replicated ACL files through the {@link io.chubby.spi.NamespaceView}
 * the {@link AclPermission} carries ({@link Membership}, over the shared {@link AclFileCache}).
 * It authenticates nothing, and holds no per-principal authorization info (Shiro's authorization
 * cache is off): every check reads the files as they are now.
 */
final class AclRealm extends AuthorizingRealm {
    static final String NAME = "chubby-acl-files";

    private final Membership membership;

    AclRealm(AclFileCache cache) {
        this.membership = new Membership(cache);
        setName(NAME);
        setAuthorizationCachingEnabled(false);
        setAuthenticationCachingEnabled(false);
    }

    @Override
    public boolean supports(AuthenticationToken token) {
        return false;
    }

    @Override
    protected AuthenticationInfo doGetAuthenticationInfo(AuthenticationToken token) {
        return null;
    }

    /** Never consulted: {@link #isPermitted(PrincipalCollection, Permission)} reads the ACL files instead. */
    @Override
    protected AuthorizationInfo doGetAuthorizationInfo(PrincipalCollection principals) {
        return null;
    }

    @Override
    public boolean isPermitted(PrincipalCollection principals, Permission permission) {
        if (!(permission instanceof AclPermission acl) || principals == null || principals.isEmpty()) {
            return false;
        }
        Object primary = principals.getPrimaryPrincipal();
        if (!(primary instanceof String name)) {
            return false;
        }
        Membership.Result r = membership.check(acl.view(), name, acl.aclName());
        acl.result(r);
        return r.member();
    }
}
