package io.chubby.acl.internal;

import io.chubby.spi.NamespaceView;
import org.apache.shiro.authz.Permission;

/**
 * The Shiro permission "member of ACL file {@code aclName}, as the namespace holds it now". It
 * carries the namespace view of the call being decided, and the {@link AclRealm} leaves the
 * {@link Membership.Result} in it (which files were read), for the decision to name. One instance
 * per check, used by one thread; never cached or serialised.
 */
final class AclPermission implements Permission {
    private final String aclName;
    private final NamespaceView view;
    private Membership.Result result;

    AclPermission(String aclName, NamespaceView view) {
        this.aclName = aclName;
        this.view = view;
    }

    String aclName() {
        return aclName;
    }

    NamespaceView view() {
        return view;
    }

    void result(Membership.Result r) {
        this.result = r;
    }

    /** What the realm found; null if no realm checked this permission. */
    Membership.Result result() {
        return result;
    }

    /** Permissions that are ACL files are only implied by themselves: membership is decided by the realm. */
    @Override
    public boolean implies(Permission p) {
        return p == this;
    }

    @Override
    public String toString() {
        return "member of " + AclFile.path(aclName);
    }
}
