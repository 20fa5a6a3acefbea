package io.chubby.mirror.internal.plan;

/** What the mirror's worker does next, by relative path; produced from source events and by the runner. */
public sealed interface MirrorTask {

    /** Make the target node equal to the source node (copy, create, or remove if the source has none). */
    record Sync(String relative) implements MirrorTask {
    }

    /** The source removed the node: remove it (and everything below it) from the target. */
    record Remove(String relative) implements MirrorTask {
    }

    /** Events may have been lost: compare the whole subtrees by checksum. */
    record Reconcile(String reason) implements MirrorTask {
    }
}
