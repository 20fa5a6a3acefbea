package io.chubby.acl.internal;

import io.chubby.spi.AclFileVersion;
import io.chubby.spi.NamespaceView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a principal is a member of an ACL file: the file lists the principal's name, or lists a
 * group (a name {@code g} for which {@code /acl/g} exists) of which the principal is a member,
 * breadth first, each group read once (nested groups work, cycles end). Records every ACL file it
 * read, in order, including the names it looked up as groups and found missing
 * ({@link AclFileVersion#absent}). Pure apart from the shared {@link AclFileCache}.
 */
final class Membership {
    /** The outcome: member or not, and the ACL files read to find out. */
    record Result(boolean member, boolean fileMissing, List<AclFileVersion> consulted) {
    }

    private final AclFileCache cache;

    Membership(AclFileCache cache) {
        this.cache = cache;
    }

    /**
     * Is {@code principal} a member of the ACL file named {@code aclName} ({@code /acl/<aclName>})?
     * {@code fileMissing} says that file itself does not exist (a member of nothing).
     */
    Result check(NamespaceView view, String principal, String aclName) {
        List<AclFileVersion> consulted = new ArrayList<>();
        AclFileCache.Entry top = cache.read(view, AclFile.path(aclName));
        consulted.add(top.version());
        if (!top.exists()) {
            return new Result(false, true, consulted);
        }
        Set<String> seen = new HashSet<>();
        seen.add(aclName);
        Deque<AclFileCache.Entry> queue = new ArrayDeque<>();
        queue.add(top);
        while (!queue.isEmpty()) {
            AclFileCache.Entry file = queue.poll();
            if (file.names().contains(principal)) {
                return new Result(true, false, consulted);
            }
            for (String name : file.names()) {
                if (AclFile.validName(name) && seen.add(name)) {
                    AclFileCache.Entry group = cache.read(view, AclFile.path(name));
                    consulted.add(group.version());
                    if (group.exists()) {
                        queue.add(group);
                    }
                }
            }
        }
        return new Result(false, false, consulted);
    }
}
