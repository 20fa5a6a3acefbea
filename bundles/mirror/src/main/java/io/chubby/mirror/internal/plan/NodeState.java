package io.chubby.mirror.internal.plan;

import io.chubby.api.Stat;
import java.util.Objects;

/**
 * What the mirror compares for one node, by its path relative to a mirrored subtree ({@code ""} is
 * the subtree's root, {@code "a/b"} a node below it): kind, content checksum and size, ACL names.
 * Generations and instances are not compared: they are each cell's own.
 */
public record NodeState(String relative, boolean directory, boolean ephemeral, long checksum, long size,
                        String readAcl, String writeAcl, String changeAcl) {

    public NodeState {
        Objects.requireNonNull(relative, "relative");
    }

    public static NodeState of(String relative, Stat stat) {
        return new NodeState(relative, stat.directory(), stat.ephemeral(), stat.checksum(), stat.size(),
                stat.readAcl(), stat.writeAcl(), stat.changeAcl());
    }

    public static NodeState directory(String relative) {
        return new NodeState(relative, true, false, 0, 0, null, null, null);
    }

    public static NodeState file(String relative, long checksum, long size) {
        return new NodeState(relative, false, false, checksum, size, null, null, null);
    }

    public NodeState withAcls(String read, String write, String change) {
        return new NodeState(relative, directory, ephemeral, checksum, size, read, write, change);
    }

    /** Same contents (files) or both directories. */
    public boolean sameContents(NodeState other) {
        return directory == other.directory && (directory || (checksum == other.checksum && size == other.size));
    }

    public boolean sameAcls(NodeState other) {
        return Objects.equals(readAcl, other.readAcl) && Objects.equals(writeAcl, other.writeAcl)
                && Objects.equals(changeAcl, other.changeAcl);
    }

    /** Whether this node is {@code ancestor} or lies below it. */
    public boolean within(String ancestor) {
        return Subtrees.isWithin(relative, ancestor);
    }
}
