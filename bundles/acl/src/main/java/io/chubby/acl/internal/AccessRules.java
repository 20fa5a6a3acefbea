package io.chubby.acl.internal;

import io.chubby.api.NodePath;
import io.chubby.api.OpenMode;
import io.chubby.api.Stat;
import io.chubby.spi.AclFileVersion;
import io.chubby.spi.Authorizer.Decision;
import io.chubby.spi.CellRequest;
import io.chubby.spi.NamespaceView;
import io.chubby.spi.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The decision table of the acl bundle (README, "Decisions"): which right on which node a call
 * needs, and the reason a denial gives. Membership in an ACL file is asked of a
 * {@link MembershipCheck} (Shiro's security manager in the bundle, anything in tests); everything
 * else is here, pure: no OSGi, no Shiro, no clock.
 */
final class AccessRules {

    /** Membership of a principal in an ACL file, as of the namespace view given. */
    @FunctionalInterface
    interface MembershipCheck {
        Membership.Result member(String principal, String aclName, NamespaceView view);
    }

    /** The rights a node's three ACL names govern. */
    enum Right {
        READ("read", "read"),
        WRITE("write", "write"),
        CHANGE_ACL("change the ACL names of", "change-ACL");

        final String verb;
        final String label;

        Right(String verb, String label) {
            this.verb = verb;
            this.label = label;
        }

        String aclOf(Stat s) {
            return switch (this) {
                case READ -> s.readAcl();
                case WRITE -> s.writeAcl();
                case CHANGE_ACL -> s.changeAcl();
            };
        }

        static Right of(OpenMode m) {
            return switch (m) {
                case READ -> READ;
                case WRITE -> WRITE;
                case CHANGE_ACL -> CHANGE_ACL;
            };
        }
    }

    /**
     * A decision with what the audit line says about a denial: the right that was missing, on
     * which node (absolute path), and the ACL file (absolute path) that did not grant it; empty
     * strings where they do not apply.
     */
    record Verdict(Decision decision, String right, String node, String acl) {
        static Verdict allow(List<AclFileVersion> consulted) {
            return new Verdict(Decision.allow(consulted), "", "", "");
        }

        static Verdict deny(String reason, List<AclFileVersion> consulted, String right, String node, String acl) {
            return new Verdict(new Decision(false, reason, consulted), right, node, acl);
        }
    }

    private final Set<String> superusers;
    private final boolean anonymousSessions;
    private final MembershipCheck check;

    /**
     * @param superusers        principal names that bypass every check ({@code acl.superusers});
     *                          an unauthenticated connection is never a superuser
     * @param anonymousSessions whether the anonymous principal may create sessions ({@code acl.anonymous})
     */
    AccessRules(Set<String> superusers, boolean anonymousSessions, MembershipCheck check) {
        this.superusers = Set.copyOf(superusers);
        this.anonymousSessions = anonymousSessions;
        this.check = check;
    }

    Verdict decide(CellRequest r, NamespaceView view) {
        Principal p = r.principal();
        if (!p.anonymous() && superusers.contains(p.name())) {
            return Verdict.allow(List.of());
        }
        return switch (r.operation()) {
            // never asked by the core (they must keep working, or never fail); allowed if asked
            case MASTER_LOCATION, STATUS, KEEP_ALIVE, CLOSE_SESSION, CLOSE -> Verdict.allow(List.of());
            // refusing a release would only keep a lock held
            case RELEASE -> Verdict.allow(List.of());
            case CREATE_SESSION -> p.anonymous() && !anonymousSessions
                    ? Verdict.deny(p.name() + " may not create a session (acl.anonymous is false: authenticate with a "
                    + "TLS client certificate or a user name and password)", List.of(), "session", "", "")
                    : Verdict.allow(List.of());
            case ADMIN -> Verdict.deny(p.name() + " may not run admin commands (only acl.superusers may)", List.of(),
                    "admin", "", "");
            case OPEN -> open(r, view);
            case GET_CONTENTS, GET_STAT, READ_DIR, LOCK_INFO, GET_SEQUENCER, CHECK_SEQUENCER ->
                    onHandleNode(r, view, Right.READ);
            case SET_CONTENTS, DELETE, ACQUIRE, SET_SEQUENCER -> onHandleNode(r, view, Right.WRITE);
            case SET_ACL -> onHandleNode(r, view, Right.CHANGE_ACL);
        };
    }

    /**
     * A call on a node through a handle (or, for CHECK_SEQUENCER, a sequencer): the right on that
     * node. The node gone (a handle outliving its node) or a sequencer that names none: nothing to
     * protect, the call fails on its own (NO_SUCH_NODE, BAD_HANDLE, an invalid sequencer).
     */
    private Verdict onHandleNode(CellRequest r, NamespaceView view, Right right) {
        NodePath path = r.path();
        if (path == null) {
            return Verdict.allow(List.of());
        }
        Stat s = view.stat(path.cellRelative());
        if (s == null) {
            return Verdict.allow(List.of());
        }
        return require(r.principal(), path, s, List.of(right), view, "");
    }

    /**
     * OPEN: of an existing node, every requested mode (none requested reads as READ, as the core
     * normalises it); of a missing node that may be created, write on its directory; of a missing
     * node without create, read on its directory. When the directory is missing too, the nearest
     * existing ancestor decides (the root always exists).
     */
    private Verdict open(CellRequest r, NamespaceView view) {
        NodePath path = r.path();
        if (path == null) {
            return Verdict.deny(r.principal().name() + " may not open a node the call does not name", List.of(),
                    "open", "", "");
        }
        Stat s = view.stat(path.cellRelative());
        if (s != null) {
            List<Right> rights = new ArrayList<>();
            for (OpenMode m : OpenMode.values()) {
                if (r.modes().contains(m)) {
                    rights.add(Right.of(m));
                }
            }
            if (rights.isEmpty()) {
                rights.add(Right.READ);
            }
            return require(r.principal(), path, s, rights, view, "");
        }
        NodePath dir = path;
        Stat ds = null;
        while (ds == null && !dir.isRoot()) {
            dir = dir.parent();
            ds = view.stat(dir.cellRelative());
        }
        if (ds == null) {
            return Verdict.deny("the cell root of " + path + " does not exist", List.of(), "open", path.toString(), "");
        }
        return r.creates()
                ? require(r.principal(), dir, ds, List.of(Right.WRITE), view, " to create " + path)
                : require(r.principal(), dir, ds, List.of(Right.READ), view, "");
    }

    /** Each right in turn; the first one missing denies. Consulted: every ACL file read on the way. */
    private Verdict require(Principal p, NodePath node, Stat s, List<Right> rights, NamespaceView view, String why) {
        List<AclFileVersion> consulted = new ArrayList<>();
        String aclDir = "/ls/" + node.cell() + AclFile.DIR;
        for (Right right : rights) {
            String aclName = right.aclOf(s);
            String head = p.name() + " may not " + right.verb + " " + node;
            if (aclName == null || aclName.isEmpty()) {
                return Verdict.deny(head + " (the node names no " + right.label + " ACL)" + why, consulted,
                        right.label, node.toString(), "");
            }
            if (!AclFile.validName(aclName)) {
                return Verdict.deny(head + " (" + right.label + " ACL '" + aclName + "' is not a valid ACL file name)"
                        + why, consulted, right.label, node.toString(), aclName);
            }
            String aclPath = aclDir + aclName;
            Membership.Result m = check.member(p.name(), aclName, view);
            consulted.addAll(m.consulted());
            if (m.fileMissing()) {
                return Verdict.deny(head + " (" + right.label + " ACL " + aclPath + " does not exist)" + why, consulted,
                        right.label, node.toString(), aclPath);
            }
            if (!m.member()) {
                return Verdict.deny(head + " (" + right.label + " ACL " + aclPath + ")" + why, consulted, right.label,
                        node.toString(), aclPath);
            }
        }
        return Verdict.allow(dedupe(consulted));
    }

    private static List<AclFileVersion> dedupe(List<AclFileVersion> versions) {
        return versions.size() < 2 ? versions : List.copyOf(new java.util.LinkedHashSet<>(versions));
    }
}
