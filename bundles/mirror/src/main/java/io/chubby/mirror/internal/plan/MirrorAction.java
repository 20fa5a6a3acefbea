package io.chubby.mirror.internal.plan;

/** One write the mirror makes to its target subtree; paths are relative to it. */
public sealed interface MirrorAction {
    String relative();

    /** Create the directory (its parent exists by then: plans are ordered parents first). */
    record MakeDirectory(String relative, NodeState source) implements MirrorAction {
    }

    /** Read the file from the source and write it to the target (creating it if absent). */
    record CopyFile(String relative, NodeState source) implements MirrorAction {
    }

    /** Write the node's three ACL names as the source has them. */
    record SetAcls(String relative, NodeState source) implements MirrorAction {
    }

    /** Remove the node, and everything below it for a directory. */
    record Remove(String relative, int nodes) implements MirrorAction {
    }
}
