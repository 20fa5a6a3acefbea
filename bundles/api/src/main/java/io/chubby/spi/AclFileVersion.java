package io.chubby.spi;

import java.util.Objects;

/**
 * The version of one ACL file an {@link Authorizer} consulted for a decision: the master carries
 * these in the command it proposes, and applying the command compares them with the file as it
 * stands then (a pure comparison). If an ACL file changed between the decision and the apply, the
 * command is refused with {@code PERMISSION_DENIED} and nothing changes, so no write is ever
 * applied on the strength of an ACL that no longer holds.
 *
 * @param path       the ACL file, cell-relative ({@code /acl/<name>})
 * @param instance   the file's instance number, 0 when it did not exist (a missing file denies,
 *                   so its later creation must also invalidate the decision)
 * @param generation the file's content generation (0 when it did not exist)
 * @since 1.3
 */
public record AclFileVersion(String path, long instance, long generation) {
    public AclFileVersion {
        Objects.requireNonNull(path, "path");
        if (instance < 0 || generation < 0) {
            throw new IllegalArgumentException("instance and generation are never negative");
        }
    }

    /** The version of a file that did not exist when the decision was made. */
    public static AclFileVersion absent(String path) {
        return new AclFileVersion(path, 0, 0);
    }

    public boolean exists() {
        return instance != 0;
    }
}
